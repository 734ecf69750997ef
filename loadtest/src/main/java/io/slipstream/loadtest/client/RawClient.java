package io.slipstream.loadtest.client;

import io.slipstream.loadtest.accounting.RawAccountant;
import io.slipstream.loadtest.accounting.Tally;
import io.slipstream.loadtest.wire.FrameScanner;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.Map;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * A client of any plain WebSocket server that pushes what is POSTed to it: every text frame that
 * carries {@code "n":} is one delivery, and its {@code "t":} gives the latency.
 *
 * <p>Confined to its {@link ClientVerticle}'s event loop. It does not reconnect.
 */
final class RawClient implements Client {

  private static final String T = "\"t\":";
  private static final String N = "\"n\":";

  private final String id;
  private final ClientPlan plan;
  private final WebSocketClient wsClient;
  private final SingleWriterRecorder latency;
  private final Tally tally;
  private final RawAccountant accountant = new RawAccountant();

  private ClientWebSocket ws;
  private boolean stopped;
  private int lastCloseCode;

  RawClient(
      String id,
      ClientPlan plan,
      WebSocketClient wsClient,
      SingleWriterRecorder latency,
      ClientShared shared) {
    this.id = id;
    this.plan = plan;
    this.wsClient = wsClient;
    this.latency = latency;
    this.tally = shared.tally();
  }

  @Override
  public void connect() {
    ClientWebSocket socket = wsClient.webSocket();
    socket.textMessageHandler(this::onFrame);
    socket.binaryMessageHandler(b -> onFrame(b.toString(java.nio.charset.StandardCharsets.UTF_8)));
    socket.exceptionHandler(e -> {});
    socket.closeHandler(
        v -> {
          Short sc = socket.closeStatusCode();
          lastCloseCode = sc == null ? 1006 : sc;
          tally.closed(lastCloseCode);
          tally.open.decrementAndGet();
          tally.live.decrementAndGet();
          ws = null;
        });
    socket
        .connect(
            new WebSocketConnectOptions()
                .setHost(plan.endpoint().host())
                .setPort(plan.endpoint().port())
                .setSsl(plan.endpoint().ssl())
                .setURI(plan.endpoint().path())
                .setTimeout(15_000))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                tally.connectFailures.increment();
                return;
              }
              ws = socket;
              tally.opened.increment();
              tally.open.incrementAndGet();
              tally.live.incrementAndGet();
              if (stopped) {
                socket.close();
              } else if (plan.rawHello() != null) {
                socket.writeTextMessage(plan.rawHello());
              }
            });
  }

  private void onFrame(String s) {
    int to = s.length();
    long n = FrameScanner.longField(s, N, 0, to);
    long before = accountant.received();
    long dups = accountant.duplicates();
    accountant.message(n);
    if (accountant.received() != before) {
      tally.received.increment();
      long t = FrameScanner.longField(s, T, 0, to);
      if (t != FrameScanner.ABSENT) {
        long lat = System.nanoTime() / 1000 - t;
        latency.recordValue(ClientShared.clamp(lat));
      }
    } else if (accountant.duplicates() != dups) {
      tally.duplicates.increment();
    }
  }

  @Override
  public void tick(long nowNanos) {}

  @Override
  public void resumeReading() {}

  @Override
  public void stop() {
    stopped = true;
    if (ws != null && !ws.isClosed()) {
      ws.close();
    }
  }

  /** Of the numbers {@code [0, published)}, how many this client did not receive. */
  long missing(long published) {
    return accountant.missing(0, published);
  }

  @Override
  public long lastSeq(String topic) {
    return accountant.received();
  }

  @Override
  public ClientReport report() {
    return new ClientReport(
        id,
        false,
        ws != null,
        ws != null,
        accountant.received(),
        0,
        0,
        0,
        accountant.duplicates(),
        0,
        0,
        0,
        lastCloseCode,
        Map.of("raw", accountant.received()),
        Map.of(),
        null,
        0,
        0,
        0,
        0,
        null,
        null);
  }

  /** Messages that arrived after a higher number. */
  long reordered() {
    return accountant.reordered();
  }
}
