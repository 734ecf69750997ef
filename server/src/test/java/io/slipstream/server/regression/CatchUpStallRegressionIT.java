package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: a client that stopped reading while a subscription was still catching up (a snapshot or
 * replay bigger than the socket's buffers) was never closed 4001, however fast its topic changed.
 * Live events are not queued while a subscription catches up (docs/protocol.md §5: the replay log
 * supplies them), so its buffer stayed empty and the slow-consumer watch never saw any fill: no
 * {@code warning}, no sustain timer, and the connection sat there until the heartbeat timeout,
 * against guarantee 6 (close 4001 after {@code sustainMs} at or above {@code disconnect}).
 *
 * <p>Now, once the socket has taken nothing for 250 ms, the fill also counts how far each
 * catching-up subscription lags its topic: the changes published since the catch-up last moved,
 * which a live subscription would have held in its buffer (docs/protocol.md §5, §6). A client
 * reading its catch-up is unaffected.
 */
class CatchUpStallRegressionIT {

  private static final int BUFFER_MAX = 200;
  private static final long SUSTAIN_MS = 1_000;
  /** Bigger than loopback's socket buffers together (4 MiB send, 4 KiB receive): 7.5 MiB. */
  private static final int BULK_ROWS = 480;

  private static final int BULK_ROW_BYTES = 16 * 1024;

  private TestServer server;
  private RecordingLifecycle lifecycle;
  private final AtomicBoolean publishing = new AtomicBoolean(true);
  private Thread publisher;

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .sustainMs(SUSTAIN_MS)
                .buffer(
                    new BufferLimits(BUFFER_MAX, 160 * 1024, 0.8, 0.95, DropPolicy.DROP_OLDEST))
                .build());
    lifecycle = RecordingLifecycle.on(server);
    for (int b = 0; b < BULK_ROWS; b += 40) {
      JsonArray rows = new JsonArray();
      for (int k = b; k < b + 40; k++) {
        rows.add(
            new JsonObject()
                .put("op", "INSERT")
                .put("key", "b" + k)
                .put("row", new JsonObject().put("pad", "b".repeat(BULK_ROW_BYTES))));
      }
      server.publish("big", rows);
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    publishing.set(false);
    if (publisher != null) {
      publisher.join(5_000);
    }
    server.close();
  }

  /** {@code perTurn} small changes of the big topic every 50 ms, until the test ends. */
  private void startPublishing(int perTurn) {
    publisher =
        new Thread(
            () -> {
              long n = 0;
              while (publishing.get()) {
                JsonArray batch = new JsonArray();
                for (int i = 0; i < perTurn; i++, n++) {
                  batch.add(
                      new JsonObject()
                          .put("op", "UPDATE")
                          .put("key", "k" + (n % 50))
                          .put("row", new JsonObject().put("n", n)));
                }
                server.publish("big", batch);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
              }
            },
            "publisher");
    publisher.setDaemon(true);
    publisher.start();
  }

  @Test
  void aClientThatStopsReadingWhileCatchingUpIsWarnedThenClosed4001AfterSustainMs()
      throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws", 4096)) {
      ws.send("{\"type\":\"hello\"}");
      String session = next(ws).getString("session");
      ws.send("{\"type\":\"subscribe\",\"topic\":\"big\"}");
      startPublishing(20); // 400 changes a second: the buffer's 200 within half a second
      // Nothing is read from here on: the snapshot fills the socket, then the topic runs away.
      JsonObject slow = lifecycle.await("slow", session);
      assertThat(slow.getString("reason")).contains("sustainMs");
      // Reading again, the client finds the warning, then the close frame.
      ws.readTimeout(10_000);
      List<String> types = new ArrayList<>();
      int code;
      while (true) {
        RawWebSocket.Frame f;
        try {
          f = ws.read();
        } catch (IOException endOfStream) {
          code = 1006;
          break;
        }
        if (f.isClose()) {
          code = f.closeCode();
          break;
        }
        String type = new JsonObject(f.text()).getString("type");
        if (!"change".equals(type) && !"snapshot".equals(type)) {
          types.add(type);
        }
      }
      assertThat(types).as("messages other than the snapshot's").contains("warning");
      assertThat(code).as("close code").isEqualTo(4001);
    }
  }

  @Test
  void aClientThatReadsItsCatchUpIsNotClosed() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws")) {
      ws.send("{\"type\":\"hello\"}");
      String session = next(ws).getString("session");
      // 40 changes a second: a snapshot read within 4 s lags less than warn (160).
      startPublishing(2);
      ws.send("{\"type\":\"subscribe\",\"topic\":\"big\"}");
      // Read the whole snapshot, then a second of live changes: it keeps up, so it stays.
      long lastSeq = -1;
      long liveUntil = -1;
      while (liveUntil < 0 || System.nanoTime() < liveUntil) {
        JsonObject m = next(ws);
        assertThat(m.getString("type")).as("message %s", m).isNotIn("warning", "dropped");
        if ("change".equals(m.getString("type")) && !m.getBoolean("snapshot", false)) {
          lastSeq = m.getLong("seq");
          if (liveUntil < 0) {
            liveUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * SUSTAIN_MS);
          }
        }
      }
      assertThat(lastSeq).isPositive();
      assertThat(server.connections().size()).as("still connected").isEqualTo(1);
      assertThat(server.connections().getJsonObject(0).getString("session")).isEqualTo(session);
    }
  }

  private static JsonObject next(RawWebSocket ws) throws IOException {
    RawWebSocket.Frame f = ws.read();
    assertThat(f.isClose()).as("closed %s", f.closeCode()).isFalse();
    return new JsonObject(f.text());
  }
}
