package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.CompressionConfig;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The browser client ({@code /slipstream.js}) in a real headless Chromium, through the example
 * page {@code /examples/}: a live table that must end up exactly equal to the server's, though
 * every connection is killed three times while changes stream in, or after the client has
 * fallen out of the replay window.
 *
 * <p>The browser reaches the server through {@link ChaosProxy}, a TCP proxy in this test, so the
 * test can cut connections the way networks do, without hooks in the server: the server's own
 * 1012 (restart), an abrupt reset (the browser sees 1006), and a silent freeze that only the
 * client's heartbeat can detect. After each, the client must reconnect, resume its session and
 * heal its table; at the end the page's rows and seq must equal {@code GET /api/topics/t/rows}.
 *
 * <p>Chromium comes from the OS ({@link Chromium}): where it is missing the tests fail under CI
 * (the environment variable {@code CI} set), so a green CI run means they ran, and are skipped
 * only where {@code CI} is not set. Nothing here may reach the network.
 */
class LiveTableBrowserIT {

  private static final String TOPIC = "t";
  private static final int KEYS = 50;
  private static final int CHANGES = 1_000;
  private static final int BATCH = 10;
  /** Short heartbeats so that a frozen socket is noticed within seconds, by both sides. */
  private static final long HEARTBEAT_MS = 1_000;

  private TestServer server;
  private ChaosProxy proxy;
  /** permessage-deflate for every message (minBytes 0): Chromium offers it and must read ours. */
  private boolean compress;
  private Chromium chromium;
  private ChromeDriver driver;

  @BeforeEach
  void start() throws IOException {
    startServer(SlipstreamConfig.DEFAULT_REPLAY_LOG_SIZE);
  }

  private void startServer(int replayLogSize) throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .heartbeatMs(HEARTBEAT_MS)
                .heartbeatTimeoutMs(3 * HEARTBEAT_MS)
                .replayLogSize(replayLogSize)
                .compression(new CompressionConfig(compress, 6, 0))
                .build());
    proxy = new ChaosProxy(server.port());
  }

  /** Starts Chromium: fails under CI where there is none, skips elsewhere ({@link Chromium}). */
  private void startBrowser() throws IOException {
    chromium = Chromium.start();
    driver = chromium.driver();
  }

  @AfterEach
  void stop() throws IOException {
    if (chromium != null) {
      chromium.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** What the browser loads, with types a browser accepts (module scripts need a JS type). */
  @Test
  void servesTheClientItsTypingsTheExampleAndSockJs() throws IOException {
    String version =
        new JsonObject(Files.readString(Path.of("client/package.json"))).getString("version");
    assertServed(
        "/slipstream/" + version + "/slipstream.js", "javascript", "export class Slipstream");
    assertServed("/slipstream.d.ts", "", "export declare class Slipstream");
    assertServed("/examples/", "text/html", "example.js");
    assertServed("/examples/index.html", "text/html", "example.js");
    assertServed("/examples/example.js", "javascript", "/slipstream.js");
    assertServed("/webjars/sockjs-client/1.6.1/dist/sockjs.min.js", "javascript", "SockJS");
  }

  private void assertServed(String path, String type, String content) {
    HttpResponse<String> r = server.request("GET", path, null);
    assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse(""))
        .as("GET %s content-type", path)
        .contains(type);
    assertThat(r.body()).as("GET %s", path).contains(content);
  }

  @Test
  void webSocketTableStaysExactThroughRestartResetAndFreeze() throws Exception {
    startBrowser();
    streamThroughDisruptions("websocket");
  }

  /**
   * The same through frames the server compresses one message at a time, shared across sockets
   * (compression.enabled): the browser's inflater keeps its context, ours does not, and the table
   * must stay exact anyway.
   */
  @Test
  void compressedWebSocketTableStaysExactThroughRestartResetAndFreeze() throws Exception {
    compress = true;
    startServer(SlipstreamConfig.DEFAULT_REPLAY_LOG_SIZE);
    startBrowser();
    streamThroughDisruptions("websocket");
  }

  @Test
  void sockJsTableStaysExactThroughRestartResetAndFreeze() throws Exception {
    startBrowser();
    streamThroughDisruptions("sockjs");
  }

  /**
   * A client that comes back after the replay log has moved past its position is told {@code
   * reset} on resume and rebuilds its table from a snapshot, dropping the keys deleted meanwhile.
   */
  @Test
  void tableIsRebuiltWhenResumeFallsOutOfTheReplayWindow() throws Exception {
    startServer(100);
    startBrowser();
    long started = System.nanoTime();
    Map<String, Boolean> present = new LinkedHashMap<>();
    openLivePage("websocket", publishBatch(0, present, KEYS), started);
    try {
      proxy.freezeWebSockets();
      long lastSeq = 0;
      for (int b = 1; b <= 30; b++) { // 300 changes, three replay logs' worth
        lastSeq = publishBatch(b, present, BATCH);
      }
      awaitConnects(2);
      phase(started, "resumed after freeze");
      for (int b = 31; b <= 40; b++) {
        lastSeq = publishBatch(b, present, BATCH);
        Thread.sleep(5);
      }
      JsonObject stats = assertPageEqualsServer(lastSeq, present, started, "websocket");
      assertThat(stats.getInteger("resumes")).as("every reconnect resumed its session")
          .isPositive()
          .isEqualTo(stats.getInteger("reconnects"));
      assertThat(stats.getInteger("resets")).as("snapshots that replaced the rows").isPositive();
      assertThat(stats.getInteger("duplicatesDropped")).as("duplicates").isZero();
    } catch (AssertionError | TimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + diagnostics(), e);
    }
  }

  /** Opens the example page and waits for its first snapshot to show {@code seq}. */
  private void openLivePage(String transport, long seq, long started) {
    driver.get(proxy.url("/examples/?topic=" + TOPIC + "&transport=" + transport));
    try {
      await(Duration.ofSeconds(20), "the first snapshot", () -> pageSeq() >= seq);
    } catch (TimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + diagnostics(), e);
    }
    phase(started, transport + " page live");
    assertThat(js("return window.__slipstream.transport")).isEqualTo(transport);
    js("window.__closes = [];"
        + " window.__slipstream.on('disconnect', e => window.__closes.push(e.code))");
  }

  /**
   * Publishes {@link #CHANGES} changes over {@link #KEYS} keys in batches while the page is
   * watching, cutting every connection at a quarter (1012), half (reset) and three quarters
   * (freeze) of the stream, then compares the page's table with the server's.
   */
  private void streamThroughDisruptions(String transport) throws Exception {
    long started = System.nanoTime();
    Map<String, Boolean> present = new LinkedHashMap<>();
    long initialSeq = publishBatch(0, present, KEYS); // a snapshot with every key in it
    openLivePage(transport, initialSeq, started);
    try {
      long lastSeq = initialSeq;
      int batches = CHANGES / BATCH;
      for (int b = 1; b <= batches; b++) {
        if (b == batches / 4) {
          phase(started, "1012");
          server.server().connections().closeAllRestarting().await(10, TimeUnit.SECONDS);
        } else if (b == batches / 2) {
          awaitConnects(2);
          phase(started, "reset");
          proxy.resetAll();
        } else if (b == 3 * batches / 4) {
          awaitConnects(3);
          phase(started, "freeze");
          proxy.freezeWebSockets();
          // The client needs two silent heartbeats to give up on the socket.
          awaitConnects(4);
          phase(started, "resumed after freeze");
        }
        lastSeq = publishBatch(b, present, BATCH);
        Thread.sleep(5);
      }
      JsonObject stats = assertPageEqualsServer(lastSeq, present, started, transport);
      assertThat(stats.getInteger("reconnects")).as("reconnects").isGreaterThanOrEqualTo(3);
      assertThat(stats.getInteger("resumes")).as("every reconnect resumed its session")
          .isEqualTo(stats.getInteger("reconnects"));
      @SuppressWarnings("unchecked")
      List<Number> closes = (List<Number>) js("return window.__closes");
      // 1012: the server's restart (over SockJS, told in a `close` message); 4000: the client
      // giving up on the frozen socket. The reset shows as 1006 or, over SockJS, its own codes.
      assertThat(closes.stream().map(Number::intValue).collect(Collectors.toList()))
          .as("close codes the client saw")
          .hasSizeGreaterThanOrEqualTo(3)
          .contains(1012, 4000);
    } catch (AssertionError | TimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + diagnostics(), e);
    }
  }

  /**
   * Waits until the page shows {@code expected} as its seq, then asserts that its table equals
   * the server's rows exactly and that the client saw nothing out of order; returns its counters.
   */
  private JsonObject assertPageEqualsServer(
      long expected, Map<String, Boolean> present, long started, String transport) {
    phase(started, "published");
    await(Duration.ofSeconds(30), "the page to reach seq " + expected, () -> pageSeq() == expected);
    phase(started, "converged");
    JsonObject truth = server.rows(TOPIC);
    assertThat(truth.getLong("seq")).isEqualTo(expected);
    Map<String, JsonObject> serverRows = new TreeMap<>();
    for (Object o : truth.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      serverRows.put(r.getString("key"), r.getJsonObject("row"));
    }
    PageTable page = pageTable();
    assertThat(page.seq).isEqualTo(expected);
    assertThat(page.epoch).isEqualTo(truth.getString("epoch"));
    assertThat(page.rows).isEqualTo(serverRows);
    assertThat(page.rows.keySet()).isEqualTo(present.entrySet().stream()
        .filter(Map.Entry::getValue).map(Map.Entry::getKey).collect(Collectors.toSet()));

    JsonObject stats =
        new JsonObject((String) js("return JSON.stringify(window.__slipstream.stats)"));
    System.out.printf("%s: %d changes, %.1f s, close codes %s, client stats %s%n",
        transport, expected, (System.nanoTime() - started) / 1e9,
        js("return JSON.stringify(window.__closes)"), stats.encode());
    assertThat(stats.getInteger("unannouncedGaps")).as("seq jumps without dropped").isZero();
    assertThat(stats.getInteger("violations")).as("protocol violations seen by the client")
        .isZero();
    return stats;
  }

  private static void phase(long started, String what) {
    System.out.printf("%6.2f s  %s%n", (System.nanoTime() - started) / 1e9, what);
  }

  /** Publishes one batch; the first {@code KEYS} changes insert every key. */
  private long publishBatch(int batch, Map<String, Boolean> present, int size) {
    JsonArray changes = new JsonArray();
    for (int i = 0; i < size; i++) {
      int n = batch * BATCH + i;
      String key = String.format("k%02d", n % KEYS);
      boolean exists = present.getOrDefault(key, false);
      if (exists && n % 7 == 3) {
        changes.add(new JsonObject().put("op", "DELETE").put("key", key));
        present.put(key, false);
      } else {
        JsonObject row =
            new JsonObject()
                .put("n", n)
                .put("qty", n % 13)
                .put("price", n + 0.25)
                .put("note", "ü \"quoted\" <b>" + n + "</b>")
                .put("tags", new JsonArray().add("a").add(n % 3))
                .put("nested", new JsonObject().put("even", n % 2 == 0));
        String op = exists ? "UPDATE" : "INSERT";
        changes.add(new JsonObject().put("op", op).put("key", key).put("row", row));
        present.put(key, true);
      }
    }
    return server.publish(TOPIC, changes).getLong("lastSeq");
  }

  /** Waits until the client has been welcomed {@code n} times (first connect included). */
  private void awaitConnects(int n) {
    await(Duration.ofSeconds(15), n + " connects", () ->
        ((Number) js("return window.__slipstream.stats.connects")).intValue() >= n
            && "open".equals(js("return window.__slipstream.state")));
  }

  private long pageSeq() {
    String text = driver.findElement(org.openqa.selenium.By.id("seq")).getText();
    return text.matches("\\d+") ? Long.parseLong(text) : -1;
  }

  /** The page's epoch, seq and rows, read in one script so that they belong together. */
  private PageTable pageTable() {
    @SuppressWarnings("unchecked")
    Map<String, Object> m =
        (Map<String, Object>)
            js("const rows = [...document.querySelectorAll('#rows tbody tr')]"
                + ".map(tr => [tr.dataset.key, tr.querySelector('td.row').textContent]);"
                + "return {epoch: document.getElementById('epoch').textContent,"
                + " seq: document.getElementById('seq').textContent, rows};");
    Map<String, JsonObject> rows = new TreeMap<>();
    @SuppressWarnings("unchecked")
    List<List<String>> list = (List<List<String>>) m.get("rows");
    for (List<String> r : list) {
      JsonObject previous = rows.put(r.get(0), new JsonObject(r.get(1)));
      assertThat(previous).as("key %s shown twice", r.get(0)).isNull();
    }
    return new PageTable((String) m.get("epoch"), Long.parseLong((String) m.get("seq")), rows);
  }

  private record PageTable(String epoch, long seq, Map<String, JsonObject> rows) {}

  private Object js(String script) {
    return chromium.js(script);
  }

  private void await(Duration timeout, String what, java.util.function.BooleanSupplier done) {
    chromium.await(timeout, what, done);
  }

  /** What the client saw, for a failure message: state, counters, the tail of its trace. */
  private String diagnostics() {
    StringBuilder sb = new StringBuilder();
    try {
      sb.append("client: ")
          .append(js("const c = window.__slipstream; return c ? JSON.stringify({state: c.state,"
              + " transport: c.transport, stats: c.stats, topic: c.topics.get('" + TOPIC + "') &&"
              + " {state: c.topics.get('" + TOPIC + "').state, position: c.topics.get('" + TOPIC
              + "').position}}) : 'no client'"))
          .append('\n');
      sb.append("trace (newest last):\n")
          .append(js("const c = window.__slipstream; return c ? c.trace.slice(-80).map(e =>"
              + " e.t % 100000 + ' ' + e.dir + ' ' + e.text.slice(0, 240)).join('\\n') : ''"))
          .append('\n');
      JsonObject truth = server.rows(TOPIC).copy().put("rows", "…");
      sb.append("server: ").append(truth.encode()).append('\n');
      for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
        sb.append("console: ").append(e.getLevel()).append(' ').append(e.getMessage()).append('\n');
      }
    } catch (RuntimeException e) {
      sb.append("(diagnostics failed: ").append(e).append(")\n");
    }
    return sb.toString();
  }

  /**
   * A TCP proxy on the loopback interface in front of the server, able to break the connections
   * passing through it: {@link #resetAll()} aborts them (RST both ways), {@link
   * #freezeWebSockets()} stops moving the bytes of upgraded connections while leaving them open,
   * as a hung peer or a middlebox that silently drops a stream does. Connections made afterwards
   * pass normally.
   *
   * <p>Thread-safe: a thread accepts, two threads per connection copy bytes.
   */
  static final class ChaosProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "chaos-proxy");
              t.setDaemon(true);
              return t;
            });

    ChaosProxy(int target) throws IOException {
      this.target = target;
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.execute(this::accept);
    }

    String url(String path) {
      return "http://127.0.0.1:" + listener.getLocalPort() + path;
    }

    private void accept() {
      while (!listener.isClosed()) {
        try {
          Socket client = listener.accept();
          Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
          client.setTcpNoDelay(true);
          upstream.setTcpNoDelay(true);
          Link link = new Link(client, upstream);
          links.add(link);
          threads.execute(() -> link.copy(client, upstream));
          threads.execute(() -> link.copy(upstream, client));
        } catch (IOException e) {
          // Closed, or the server refused: the browser sees the failure and retries.
        }
      }
    }

    /** Aborts every open connection, as a crashed peer or a NAT timeout does. */
    void resetAll() {
      for (Link link : new ArrayList<>(links)) {
        link.abort();
        links.remove(link);
      }
    }

    /**
     * Stops the traffic of every open WebSocket (plain or SockJS) in both directions, without
     * closing it. Idle keep-alive HTTP connections are left alone: the browser would reuse one
     * for SockJS's info request, which then hangs for sockjs-client's fixed 8 s timeout, and
     * that would test sockjs-client, not this client's silence detection.
     */
    void freezeWebSockets() {
      for (Link link : links) {
        if (link.upgraded) {
          link.frozen = true;
        }
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      resetAll();
      threads.shutdownNow();
    }

    /** One proxied connection. */
    private final class Link {
      private final Socket client;
      private final Socket upstream;
      volatile boolean frozen;
      volatile boolean upgraded;

      Link(Socket client, Socket upstream) {
        this.client = client;
        this.upstream = upstream;
      }

      void copy(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try {
          InputStream in = from.getInputStream();
          OutputStream out = to.getOutputStream();
          int n;
          while ((n = in.read(buf)) >= 0) {
            if (from == client && !upgraded && isUpgrade(buf, n)) {
              upgraded = true;
            }
            while (frozen && !to.isClosed()) {
              Thread.sleep(20);
            }
            out.write(buf, 0, n);
            out.flush();
          }
        } catch (IOException | InterruptedException e) {
          // The link is over.
        } finally {
          if (!frozen) {
            closeQuietly(client);
            closeQuietly(upstream);
            links.remove(this);
          }
        }
      }

      private boolean isUpgrade(byte[] buf, int n) {
        String head = new String(buf, 0, n, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        return head.contains("\r\nupgrade: websocket");
      }

      void abort() {
        for (Socket s : List.of(client, upstream)) {
          try {
            s.setSoLinger(true, 0); // close with RST, not FIN
          } catch (IOException ignored) {
            // Already closed.
          }
          closeQuietly(s);
        }
      }

      private void closeQuietly(Socket s) {
        try {
          s.close();
        } catch (IOException ignored) {
          // Nothing left to release.
        }
      }
    }
  }
}
