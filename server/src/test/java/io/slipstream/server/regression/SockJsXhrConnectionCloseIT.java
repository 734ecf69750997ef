package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.browser.Chromium;
import io.slipstream.server.browser.SockJsPage;
import io.slipstream.server.browser.SockJsPage.Timing;
import io.slipstream.server.regression.SockJsKeepAliveProxy.Response;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression: SockJS's xhr transports closed their TCP connection after every poll, and after every
 * stream recycled at its byte limit, without saying so, and a keep-alive client that put its next
 * request on that connection lost it.
 *
 * <p>The bug: vertx-web 5.0.7 ends each xhr-polling response (and each xhr-streaming response once
 * it has streamed {@code maxBytesStreaming}) and then calls {@code connection().close()}, but the
 * response carries no {@code Connection: close}, so under HTTP/1.1 it promises a persistent
 * connection. A client that reuses the connection as soon as the response has ended sends into the
 * FIN: sockjs-client 1.6.1 in Node 20 sending {@code hello} two microtasks after {@code onopen} put
 * {@code xhr_send} on the open poll's connection, got {@code ECONNRESET}, and closed 1006, every
 * time (sent synchronously in {@code onopen} it went on a new connection, sent 50 ms later it came
 * after the FIN, and both worked); over xhr-streaming the same happened at the first recycled
 * stream. A POST is never resent, and proxies, which is where browsers use these transports, reuse
 * their connections to the server the same way. The fix, in {@code ServerVerticle.mountSockJs},
 * sends {@code Connection: close} on every response after which SockJS closes the connection.
 *
 * <p>Every test goes through {@link SockJsKeepAliveProxy}, which blocks WebSockets and reuses every
 * connection that HTTP/1.1 lets it reuse, so that on the old code the unannounced close fails every
 * time rather than whenever the timing loses; a request it puts on a dead connection shows in
 * {@link SockJsKeepAliveProxy#deadReuses()}, which must stay zero. The browser tests drive real
 * sockjs-client in Chromium through it ({@link Chromium}: they fail under CI where Chromium is
 * missing and are skipped only where {@code CI} is not set).
 */
class SockJsXhrConnectionCloseIT {

  private TestServer server;
  private SockJsKeepAliveProxy proxy;
  private final ExecutorService streams = Executors.newSingleThreadExecutor();

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start();
    proxy = new SockJsKeepAliveProxy(server.port());
  }

  @AfterEach
  void stop() throws IOException {
    streams.shutdownNow();
    proxy.close();
    server.close();
  }

  /** The first message right after the open frame of a poll: Node 20's two microtasks. */
  @Test
  void aSendRightAfterThePollsOpenFrameIsAnswered() throws Exception {
    Response open = poll("poll");
    assertThat(open.body()).isEqualTo("o\n");
    Response hello = send("poll", new JsonObject().put("type", "hello"));
    assertThat(hello.status()).as("xhr_send of hello").isEqualTo(204);
    Response poll = poll("poll");
    assertThat(poll.body()).startsWith("a[").contains("welcome");
    assertThat(proxy.deadReuses()).as("requests put on a closed connection").isZero();
  }

  /** A message right after the stream has been recycled at SockJS's byte limit. */
  @Test
  void aSendRightAfterARecycledStreamIsAnswered() throws Exception {
    CompletableFuture<Void> opened = new CompletableFuture<>();
    CompletableFuture<Response> stream =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return proxy.exchange(
                    "POST", "/sockjs/000/stream/xhr_streaming", "", new Watch("\no\n", opened));
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            },
            streams);
    opened.get(10, TimeUnit.SECONDS);
    assertThat(send("stream", new JsonObject().put("type", "hello")).status()).isEqualTo(204);
    assertThat(send("stream", new JsonObject().put("type", "subscribe").put("topic", "s")).status())
        .isEqualTo(204);
    String pad = "p".repeat(1000);
    for (int b = 0; b < 30 && !stream.isDone(); b++) { // 300 KiB, over SockJS's 128 KiB
      JsonArray batch = new JsonArray();
      for (int i = 0; i < 10; i++) {
        batch.add(
            new JsonObject()
                .put("op", "UPDATE")
                .put("key", "k" + i)
                .put("row", new JsonObject().put("pad", pad)));
      }
      server.publish("s", batch);
    }
    Response recycled = stream.get(20, TimeUnit.SECONDS);
    assertThat(recycled.status()).isEqualTo(200);
    assertThat(recycled.body()).contains("welcome", "subscribed", "change");
    Response ping = send("stream", new JsonObject().put("type", "ping").put("id", "p"));
    assertThat(ping.status()).as("xhr_send right after the stream ended").isEqualTo(204);
    assertThat(proxy.deadReuses()).as("requests put on a closed connection").isZero();
  }

  /**
   * Every receiving transport's response, after which SockJS closes the connection, says so, the
   * streams' in their head already; checked on a plain socket, without the proxy.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "POST, xhr",
    "POST, xhr_streaming",
    "GET, eventsource",
    "GET, htmlfile?c=cb",
    "GET, jsonp?c=cb"
  })
  void theReceivingTransportsSayConnectionClose(String method, String transport)
      throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(10_000);
      String session = transport.replaceAll("\\W", "");
      String head = exchangeHead(s, method, "/sockjs/000/" + session + "/" + transport, "");
      assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nconnection: close\r\n");
    }
  }

  /** The sends, which SockJS answers without closing, keep their connection alive. */
  @Test
  void sendsKeepTheirConnection() throws IOException {
    poll("keep");
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(10_000);
      String path = "/sockjs/000/keep/xhr_send";
      String hello = new JsonArray().add(new JsonObject().put("type", "hello").encode()).encode();
      String ping = new JsonArray().add(new JsonObject().put("type", "ping").encode()).encode();
      for (String body : new String[] {hello, ping}) { // the second on the same connection
        String head = exchangeHead(s, "POST", path, body);
        assertThat(head).startsWith("HTTP/1.1 204").doesNotContainIgnoringCase("connection: close");
      }
    }
  }

  /** Writes a request on {@code s} and reads the head of its response. */
  private static String exchangeHead(Socket s, String method, String path, String body)
      throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = s.getOutputStream();
    out.write(
        (method
                + " "
                + path
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                + content.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.write(content);
    out.flush();
    StringBuilder head = new StringBuilder();
    InputStream in = s.getInputStream();
    while (head.indexOf("\r\n\r\n") < 0) {
      int c = in.read();
      assertThat(c).as("the head of the response to %s %s: %s", method, path, head).isNotNegative();
      head.append((char) c);
    }
    return head.toString();
  }

  static Stream<Arguments> xhrTransportsAndTimings() {
    return Stream.of("xhr-streaming", "xhr-polling")
        .flatMap(t -> Stream.of(Timing.values()).map(timing -> Arguments.of(t, timing)));
  }

  /** Real sockjs-client in Chromium through the proxy, on each xhr transport, each timing. */
  @ParameterizedTest(name = "{0}, sends {1}")
  @MethodSource("xhrTransportsAndTimings")
  void aBrowserBehindAKeepAliveProxyGetsEveryChange(String transport, Timing timing)
      throws Exception {
    try (Chromium chromium = Chromium.start()) {
      String topic = "p-" + transport + "-" + timing.name().toLowerCase(Locale.ROOT);
      SockJsPage.open(chromium, proxy.port(), transport, timing, topic).receivesEveryChange(server);
    }
    assertThat(proxy.deadReuses()).as("requests put on a closed connection").isZero();
  }

  /**
   * Left to choose, sockjs-client behind a proxy that blocks WebSockets falls back to
   * xhr-streaming, which must then carry the whole stream.
   */
  @Test
  void aBrowserWhoseWebSocketIsBlockedFallsBackToXhrStreamingAndGetsEveryChange() throws Exception {
    try (Chromium chromium = Chromium.start()) {
      SockJsPage page = SockJsPage.open(chromium, proxy.port(), null, Timing.MICROTASKS, "p");
      page.receivesEveryChange(server);
      assertThat(page.transport()).isEqualTo("xhr-streaming");
    }
    assertThat(proxy.deadReuses()).as("requests put on a closed connection").isZero();
  }

  private Response poll(String session) throws IOException {
    return proxy.exchange(
        "POST", "/sockjs/000/" + session + "/xhr", "", OutputStream.nullOutputStream());
  }

  private Response send(String session, JsonObject message) throws IOException {
    return proxy.exchange(
        "POST",
        "/sockjs/000/" + session + "/xhr_send",
        new JsonArray().add(message.encode()).encode(),
        OutputStream.nullOutputStream());
  }

  /** Completes {@code seen} once the bytes written to it contain {@code text}. */
  private static final class Watch extends OutputStream {
    private final String text;
    private final CompletableFuture<Void> seen;
    private final StringBuilder head = new StringBuilder();

    Watch(String text, CompletableFuture<Void> seen) {
      this.text = text;
      this.seen = seen;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      // Only the start of the stream matters, so only 4 KiB of it is kept.
      if (!seen.isDone() && head.length() < 4096) {
        head.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
        if (head.indexOf(text) >= 0) {
          seen.complete(null);
        }
      }
    }
  }
}
