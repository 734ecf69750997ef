package io.slipstream.server.qos;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.QualityThresholds;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.MirrorClient;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Adaptive buffers at the wire (docs/protocol.md §6, "QoS classes"): on a node whose {@code
 * standard} class holds {@code targetDelayMs} of each client's drain rate between {@code min} and
 * {@code max}, a client that stops reading has its bound shrunk to {@code min} below what it has
 * queued: {@code warning.max} and {@code /api/connections} show the effective bound, nothing is
 * dropped at the shrink, the queue never grows past what it held, and the drops the policy makes
 * from then on are all named by {@code dropped} markers; a client that keeps up on the same topic
 * keeps the class's {@code max} and loses nothing.
 */
class AdaptiveBufferIT {

  private static final String TOPIC = "ticks";
  private static final int MAX = 400;
  private static final int MIN = 10;

  /**
   * Warn at 0.9 of 400: a buffer growing at the test's publish rate (at most 1,000/s) reaches it
   * only after 360 ms, later than the second quality tick (100 ms), so the first {@code warning}
   * comes from the shrink and names the shrunk bound.
   */
  private static final JsonObject CLASSES =
      new JsonObject(
          "{\"standard\": {\"max\": "
              + MAX
              + ", \"warn\": 0.9, \"disconnect\": 0.99,"
              + " \"adaptive\": {\"min\": "
              + MIN
              + ", \"targetDelayMs\": 500}}}");

  private TestServer server;
  private Vertx clients;

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                // No 4001 during the test: the point is the bound, not the cut.
                .sustainMs(60_000)
                .quality(
                    new QualityThresholds(
                        100,
                        QualityThresholds.DEFAULT_GROWTH_MS,
                        QualityThresholds.DEFAULT_ACK_LAG_MS,
                        QualityThresholds.DEFAULT_STALL_MS))
                .qosClasses(CLASSES)
                .build());
    clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  @AfterEach
  void stop() {
    clients.close().await();
    server.close();
  }

  @Test
  void aStalledClientsBoundShrinksBelowItsQueueLosingNothingUnaccountedWhileAFastOneKeepsTheMax()
      throws Exception {
    // A 16 KiB receive buffer: the paused client pushes back on the server within a few changes.
    RecordingClient slow = RecordingClient.connect(clients, server.port(), 16 * 1024);
    slow.send(new JsonObject().put("type", "hello").put("clientId", "slow"));
    JsonObject welcome = slow.expect("welcome");
    assertThat(welcome.getJsonObject("buffer").getInteger("max"))
        .as("welcome.buffer.max is the class's max")
        .isEqualTo(MAX);
    slow.subscribe(TOPIC);
    slow.expect("snapshot");
    slow.expect("snapshot");
    slow.pause();
    MirrorClient fast = MirrorClient.subscribe(clients, server.port(), TOPIC);

    long last = 0;
    JsonObject shrunk = null;
    long pendingBefore = Long.MAX_VALUE;
    int after = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    // Flood at most 1,000 changes a second until the slow client's bound shrank below its queue,
    // then 30 batches more for the policy to act on; bounded in batches and time.
    for (int batch = 0; batch < 5_000 && after < 30; batch++) {
      assertThat(System.nanoTime()).as("the bound shrinks in time").isLessThan(deadline);
      last = server.publish(TOPIC, QosClassesIT.changes(10)).getLong("lastSeq");
      if (shrunk != null) {
        after++;
      }
      if (batch % 3 != 0) {
        Thread.sleep(10); // pacing the publisher, not waiting for an event
        continue;
      }
      JsonObject c = slowStats();
      assertThat(c.getInteger("max")).as("/api/connections max is the class's").isEqualTo(MAX);
      int pending = c.getInteger("pending");
      int effective = c.getInteger("effectiveMax");
      if (shrunk == null && effective < MAX && pending > effective) {
        shrunk = c;
      }
      if (shrunk != null) {
        // Drained nothing since: the queue holds what it held at the shrink, or less, never more.
        assertThat((long) pending)
            .as("the excess over a shrunk bound never grows")
            .isLessThanOrEqualTo(Math.max(effective, pendingBefore));
        pendingBefore = pending;
      }
    }
    assertThat(shrunk).as("the stalled client's bound shrank below its queue").isNotNull();
    assertThat(shrunk.getInteger("effectiveMax"))
        .as("a client that drains nothing gets min")
        .isEqualTo(MIN);

    JsonObject slowNow = slowStats();
    JsonObject fastNow = fastStats();
    assertThat(slowNow.getInteger("effectiveMax")).isEqualTo(MIN);
    assertThat(slowNow.getLong("dropped")).as("the policy acted on what came after").isPositive();
    assertThat(fastNow.getInteger("max")).isEqualTo(MAX);
    assertThat(fastNow.getInteger("effectiveMax"))
        .as("a client that keeps up keeps max")
        .isEqualTo(MAX);
    assertThat(fastNow.getLong("dropped")).isZero();
    assertThat(fast.awaitSeq(last, 30_000)).as("the fast client got every change").isTrue();
    assertThat(fast.violations()).isEmpty();

    // The slow client reads again: changes and dropped markers account for every seq, in order.
    slow.resume();
    List<Integer> warningMax = new ArrayList<>();
    long next = 1;
    long droppedSeen = 0;
    while (next <= last) {
      JsonObject m = slow.next();
      switch (m.getString("type")) {
        case "warning":
          warningMax.add(m.getInteger("max"));
          break;
        case "change":
          assertThat(m.getLong("seq")).as("next change of %s", TOPIC).isEqualTo(next);
          next++;
          break;
        case "dropped":
          assertThat(m.getLong("from"))
              .as("a marker stands where its first seq would")
              .isEqualTo(next);
          assertThat(m.getLong("count")).isEqualTo(m.getLong("to") - m.getLong("from") + 1);
          droppedSeen += m.getLong("count");
          next = m.getLong("to") + 1;
          break;
        default:
          throw new AssertionError("unexpected " + m);
      }
    }
    assertThat(next).isEqualTo(last + 1);
    assertThat(droppedSeen).as("every drop is named").isEqualTo(slowStats().getLong("dropped"));
    assertThat(warningMax)
        .as("warning.max is the effective bound: the first comes with the shrink")
        .isNotEmpty()
        .first()
        .isEqualTo(MIN);
  }

  private JsonObject slowStats() {
    return stats(true);
  }

  private JsonObject fastStats() {
    return stats(false);
  }

  /** The slow client's entry in {@code /api/connections} (its clientId), or the other one. */
  private JsonObject stats(boolean slow) {
    JsonArray all = server.connections();
    assertThat(all).hasSize(2);
    for (Object o : all) {
      JsonObject c = (JsonObject) o;
      if ("slow".equals(c.getString("clientId")) == slow) {
        return c;
      }
    }
    throw new AssertionError("no " + (slow ? "slow" : "fast") + " connection in " + all);
  }
}
