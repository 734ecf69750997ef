package io.slipstream.server.guarantee;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.MirrorClient;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guarantees 3 (bounded memory), 4 (isolation) and 6 (thresholds): a client that reads far slower
 * than the topic is flooded gets {@code warning}, then {@code dropped} ranges that exactly cover
 * what it lacks, then close 4001; a fast client on the same topic receives every change throughout,
 * and the slow connection never holds more than its buffer's bound.
 *
 * <p>Guarantee 6 is read with a 250 ms tolerance for dips below {@code disconnect}: this client
 * reads in chunks, so its fill dips for an instant after each, and without the tolerance it would
 * never be closed (docs/protocol.md §13).
 */
class SlowConsumerIT {

  private static final String TOPIC = "flood";
  private static final int MAX_EVENTS = 2000;
  private static final long SUSTAIN_MS = 1500;
  private static final String PADDING = "x".repeat(1000);

  private TestServer server;
  private Vertx clients;

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .sustainMs(SUSTAIN_MS)
                .buffer(
                    new BufferLimits(
                        MAX_EVENTS,
                        BufferLimits.DEFAULT_MAX_BYTES,
                        0.8,
                        0.95,
                        DropPolicy.DROP_OLDEST))
                .build());
    clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  @AfterEach
  void stop() {
    clients.close().await();
    server.close();
  }

  @Test
  void slowClientIsWarnedThenDroppedWithExactGapsThenClosedWhileFastClientGetsEverything()
      throws Exception {
    RecordingClient slow = RecordingClient.connect(clients, server.port());
    slow.hello();
    JsonObject subscribed = slow.subscribe(TOPIC);
    slow.expect("snapshot");
    slow.expect("snapshot");
    // 2,000 messages a second: far below the flood, so its buffer fills and stays full.
    slow.readSlowly(clients, 20, 10);
    MirrorClient fast = MirrorClient.subscribe(clients, server.port(), TOPIC);

    long seq = 0;
    int maxPendingSeen = 0;
    java.util.Set<String> statesSeen = new java.util.HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    // Flood until the server gives up on the slow client (bounded in count and time).
    for (int batch = 0; batch < 2000 && System.nanoTime() < deadline; batch++) {
      JsonArray changes = new JsonArray();
      for (int i = 0; i < 50; i++) {
        changes.add(
            new JsonObject()
                .put("op", "UPDATE")
                .put("key", "k" + (i % 100))
                .put("row", new JsonObject().put("pad", PADDING)));
      }
      seq = server.publish(TOPIC, changes).getLong("lastSeq");
      if (batch % 10 == 0) {
        JsonArray conns = server.connections();
        for (Object o : conns) {
          maxPendingSeen = Math.max(maxPendingSeen, ((JsonObject) o).getInteger("pending"));
          statesSeen.add(((JsonObject) o).getString("state"));
        }
        if (conns.size() == 1 && batch > 0) {
          break; // the slow connection is gone
        }
      }
    }
    assertThat(server.server().connections().size())
        .as("slow client was disconnected (max pending seen %d)", maxPendingSeen)
        .isEqualTo(1);
    assertThat(maxPendingSeen).isLessThanOrEqualTo(MAX_EVENTS).isGreaterThan(MAX_EVENTS * 8 / 10);
    // /api/connections names the states: the fast client active, the slow one past disconnect.
    assertThat(statesSeen).contains("active", "slow");

    // The fast client kept up with every change, never dropped.
    assertThat(fast.awaitSeq(seq, 30_000)).isTrue();
    assertThat(fast.violations()).isEmpty();

    // The slow client: read what the kernel and the server left for it.
    slow.resume();
    assertThat(slow.awaitClose(Duration.ofSeconds(20))).isEqualTo(4001);
    List<JsonObject> got = new ArrayList<>();
    JsonObject m;
    while ((m = slow.poll(200)) != null) {
      got.add(m);
    }
    long next = subscribed.getLong("seq") + 1;
    int warnings = 0;
    int gaps = 0;
    boolean warnedBeforeFirstGap = false;
    for (JsonObject msg : got) {
      switch (msg.getString("type")) {
        case "change":
          assertThat(msg.getLong("seq")).as("next change").isEqualTo(next);
          next++;
          break;
        case "dropped":
          assertThat(msg.getLong("from"))
              .as("gap starts where the stream stands: %s", msg)
              .isEqualTo(next);
          assertThat(msg.getLong("count")).isEqualTo(msg.getLong("to") - msg.getLong("from") + 1);
          assertThat(msg.getString("reason")).isEqualTo("buffer");
          next = msg.getLong("to") + 1;
          if (gaps++ == 0) {
            warnedBeforeFirstGap = warnings > 0;
          }
          break;
        case "warning":
          warnings++;
          assertThat(msg.getDouble("fill")).isGreaterThanOrEqualTo(0.8);
          assertThat(msg.getInteger("max")).isEqualTo(MAX_EVENTS);
          break;
        default:
          throw new AssertionError("unexpected " + msg);
      }
    }
    assertThat(warnings).as("a warning for each upward crossing of warn").isPositive();
    assertThat(gaps).isGreaterThan(0);
    assertThat(warnedBeforeFirstGap).isTrue();
    assertThat(next - 1).as("accounted up to").isLessThanOrEqualTo(seq);

    // Guarantee 3: the flood is not retained anywhere once the slow client is gone.
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    assertThat(used).as("heap after the flood").isLessThan(400L * 1024 * 1024);
    fast.close();
    slow.close();
  }
}
