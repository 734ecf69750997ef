package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.openqa.selenium.TimeoutException;

/**
 * A page in {@link Chromium} that runs sockjs-client 1.6.1, loaded from the server's own WebJar
 * ({@code /webjars/sockjs-client/1.6.1/dist/sockjs.min.js}), on one SockJS transport, and speaks
 * the protocol (docs/protocol.md §3) by hand: {@code hello} on open, {@code subscribe} to one topic
 * on {@code welcome}, an {@code ack} every tenth change, {@code pong} for every {@code ping}. Every
 * one of those sends happens with the page's {@link Timing}, as real applications do: a framework
 * that hands {@code onopen} to a promise chain sends its first message a few microtasks after the
 * event, not inside it.
 *
 * <p>The page records what it receives in {@code window.__sj}; this class reads it back.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class SockJsPage {

  /** When the page sends, relative to the event (open or message) that makes it send. */
  public enum Timing {
    /** Inside the event handler. */
    SYNC("sync"),
    /** After {@code await Promise.resolve(); await Promise.resolve();} in the handler. */
    MICROTASKS("microtasks"),
    /** From a 50 ms timer set in the handler. */
    DELAYED("delayed");

    private final String js;

    Timing(String js) {
      this.js = js;
    }
  }

  private static final String LIBRARY = "/webjars/sockjs-client/1.6.1/dist/sockjs.min.js";

  private static final String CLIENT =
      """
      const [transport, timing, topic] = arguments;
      const c = window.__sj = {types: [], seqs: [], closed: null, transport: null, errors: []};
      // Polls and streams are counted from Resource Timing; its default buffer holds 250.
      performance.setResourceTimingBufferSize(100000);
      const sj = new SockJS('/sockjs', null, transport ? {transports: [transport]} : {});
      const later = async f => {
        if (timing === 'microtasks') {
          await Promise.resolve();
          await Promise.resolve();
          f();
        } else if (timing === 'delayed') {
          setTimeout(f, 50);
        } else {
          f();
        }
      };
      const send = m => later(() => sj.send(JSON.stringify(m)));
      sj.onopen = () => {
        c.transport = sj.transport;
        send({type: 'hello'});
      };
      sj.onmessage = e => {
        const data = JSON.parse(e.data);
        for (const m of Array.isArray(data) ? data : [data]) {
          c.types.push(m.type);
          if (m.type === 'error' || m.type === 'close') {
            c.errors.push(JSON.stringify(m));
          }
          if (m.type === 'welcome') {
            send({type: 'subscribe', topic, id: 1});
          } else if (m.type === 'ping') {
            send({type: 'pong'});
          } else if (m.type === 'change' && !m.snapshot) {
            c.seqs.push(m.seq);
            if (m.seq % 10 === 0) {
              send({type: 'ack', topic, seq: m.seq});
            }
          }
        }
      };
      sj.onclose = e => {
        c.closed = e.code + ' ' + e.reason;
      };
      """;

  /**
   * Changes {@link #receivesEveryChange} publishes, each with a row of about 1 KiB: more than
   * SockJS streams in one response ({@link SockJSHandlerOptions#DEFAULT_MAX_BYTES_STREAMING}), so
   * that an xhr stream is recycled at least once.
   */
  public static final int CHANGES = 300;

  private static final int BATCH = 10;
  private static final String PAD = "p".repeat(1000);

  private final Chromium chromium;
  private final String transport;
  private final String topic;

  private SockJsPage(Chromium chromium, String transport, String topic) {
    this.chromium = chromium;
    this.transport = transport;
    this.topic = topic;
  }

  /**
   * Opens a page on the server at {@code port}, loads sockjs-client there and connects it over
   * {@code transport} (a sockjs-client transport name such as {@code xhr-polling}, or null for
   * sockjs-client's own choice) to {@code /sockjs}, subscribing to {@code topic}.
   */
  public static SockJsPage open(
      Chromium chromium, int port, String transport, Timing timing, String topic) {
    // Any page of the server's origin will do; the client is added to it by script.
    chromium.driver().get("http://127.0.0.1:" + port + "/health");
    Object loaded =
        chromium
            .driver()
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + " const s = document.createElement('script');"
                    + " s.src = arguments[0]; s.onload = () => done(true);"
                    + " s.onerror = () => done(false); document.head.appendChild(s);",
                LIBRARY);
    if (!Boolean.TRUE.equals(loaded)) {
      throw new AssertionError("sockjs-client did not load from " + LIBRARY);
    }
    chromium.js(CLIENT, transport, timing.js, topic);
    return new SockJsPage(chromium, transport, topic);
  }

  /**
   * Waits until the page is welcomed and subscribed, publishes {@link #CHANGES} changes to its
   * topic on {@code server}, and asserts that the page receives every one, in order, and that its
   * socket is still open at the end.
   */
  public void receivesEveryChange(TestServer server) {
    awaitType("welcome");
    awaitType("subscribed");
    awaitType("snapshot");
    if (transport != null) {
      assertThat(transport()).isEqualTo(transport);
    }
    long last = 0;
    for (int b = 0; b < CHANGES / BATCH; b++) {
      JsonArray batch = new JsonArray();
      for (int i = 0; i < BATCH; i++) {
        int n = b * BATCH + i;
        batch.add(
            new JsonObject()
                .put("op", "UPDATE")
                .put("key", "k" + n % 20)
                .put("row", new JsonObject().put("n", n).put("pad", PAD)));
      }
      last = server.publish(topic, batch).getLong("lastSeq");
    }
    awaitSeq(last);
    List<Long> expected = LongStream.rangeClosed(1, last).boxed().collect(Collectors.toList());
    assertThat(changeSeqs()).as(diagnostics()).isEqualTo(expected);
    assertThat(closed()).as(diagnostics()).isNull();
    System.out.printf(
        "%s: %d changes; %d xhr_streaming, %d xhr, %d xhr_send requests%n",
        transport(),
        expected.size(),
        requests("xhr_streaming"),
        requests("xhr"),
        requests("xhr_send"));
  }

  /** The types of the protocol messages received, in order. */
  @SuppressWarnings("unchecked")
  public List<String> types() {
    return (List<String>) chromium.js("return window.__sj.types");
  }

  /** The seqs of the live (not snapshot) changes received, in order. */
  @SuppressWarnings("unchecked")
  public List<Long> changeSeqs() {
    return ((List<Number>) chromium.js("return window.__sj.seqs"))
        .stream().map(Number::longValue).collect(Collectors.toList());
  }

  /** The SockJS close event as {@code "code reason"}, or null while the socket is open. */
  public String closed() {
    return (String) chromium.js("return window.__sj.closed");
  }

  /** The transport sockjs-client opened, or null before open. */
  public String transport() {
    return (String) chromium.js("return window.__sj.transport");
  }

  /** How many requests the page made to SockJS URLs ending in {@code /suffix}. */
  public int requests(String suffix) {
    return ((Number)
            chromium.js(
                "return performance.getEntriesByType('resource')"
                    + ".filter(e => new URL(e.name).pathname.endsWith('/' + arguments[0]))"
                    + ".length",
                suffix))
        .intValue();
  }

  /** Waits until the page has received a message of {@code type}, or its socket closed. */
  public void awaitType(String type) {
    await("a " + type + " message", () -> types().contains(type));
  }

  /** Waits until the page has received the live change {@code seq}, or its socket closed. */
  public void awaitSeq(long seq) {
    await("change " + seq, () -> changeSeqs().contains(seq));
  }

  private void await(String what, java.util.function.BooleanSupplier done) {
    try {
      chromium.await(
          Duration.ofSeconds(20),
          what + " over " + transport,
          () -> closed() != null || done.getAsBoolean());
    } catch (TimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + diagnostics(), e);
    }
    if (!done.getAsBoolean()) {
      throw new AssertionError(
          "the SockJS socket closed (" + closed() + ") before " + what + "\n" + diagnostics());
    }
  }

  /** What the page saw, for a failure message. */
  public String diagnostics() {
    @SuppressWarnings("unchecked")
    Map<String, Object> state =
        (Map<String, Object>)
            chromium.js(
                "const c = window.__sj; return {closed: c.closed, transport: c.transport,"
                    + " types: c.types.slice(-20).join(','), received: c.types.length,"
                    + " errors: c.errors.slice(-5).join(' '),"
                    + " requests: performance.getEntriesByType('resource')"
                    + ".map(e => new URL(e.name).pathname.replace(/^\\/sockjs\\//, ''))"
                    + ".slice(-20).join(' ')}");
    return String.format(
        Locale.ROOT,
        "page over %s: closed=%s transport=%s received=%s last types=[%s] errors and closes=[%s]"
            + " last requests=[%s]",
        transport,
        state.get("closed"),
        state.get("transport"),
        state.get("received"),
        state.get("types"),
        state.get("errors"),
        state.get("requests"));
  }
}
