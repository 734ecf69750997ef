package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.time.Clock;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: durations followed the wall clock. Sustain, heartbeat, hello and TTL timers were measured
 * with {@code currentTimeMillis}, so a clock step (NTP, an operator) closed healthy sockets with
 * 4008, cut {@code sustainMs} short or stretched it, and expired sessions early or never; and after
 * {@code Clock.millis()} became monotonic, the inbound rate limiter still started from a wall-clock
 * instant, so its bucket never refilled and a healthy client was rate-limited for good once it had
 * used its burst.
 *
 * <p>The server here reads a {@link FakeWallStepClock}: its monotonic {@code millis()} advances
 * with real time (Vert.x timers do), while its {@code wallMillis()} jumps by hours when the test
 * says so. Durations must not notice; instants ({@code ts}, {@code connectedAt}) must.
 */
class WallClockStepIT {

  private static final long HOUR = 3_600_000;

  private final FakeWallStepClock clock = new FakeWallStepClock();
  private RecordingLifecycle events;
  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  private void start(SlipstreamConfig.Builder config) {
    server = TestServer.start(config.eventLoops(2).build(), clock);
    events = RecordingLifecycle.on(server);
  }

  @Test
  void aHealthyConnectionOutlivesWallClockStepsAndKeepsItsInboundRate() throws Exception {
    start(
        SlipstreamConfig.defaults().toBuilder()
            .heartbeatMs(100)
            .heartbeatTimeoutMs(600)
            .rateLimit(20)
            .rateBurst(20));
    clock.step(3 * HOUR);
    RecordingClient c = server.client();
    c.hello();
    JsonObject connected = events.await("connected");
    // 30 pings at 10/s: under the 20/s limit, but more than the burst, so the bucket must refill.
    // The Vert.x client answers the server's pings meanwhile, so the socket is healthy throughout.
    for (int i = 0; i < 30; i++) {
      c.send(new JsonObject().put("type", "ping").put("id", i));
      JsonObject pong = c.next();
      assertThat(pong.getString("type")).as("answer to ping %d: %s", i, pong).isEqualTo("pong");
      if (i == 15) {
        clock.step(-6 * HOUR);
      }
      // Pacing, not synchronisation: nothing else may arrive meanwhile.
      assertThat(c.poll(100)).isNull();
    }
    assertThat(c.isClosed()).isFalse();

    // Instants follow the wall clock, steps included: both were stamped 3 hours ahead.
    assertThat(connected.getLong("ts")).isGreaterThan(System.currentTimeMillis() + HOUR);
    JsonObject described = (JsonObject) server.connections().getValue(0);
    assertThat(described.getLong("connectedAt")).isGreaterThan(System.currentTimeMillis() + HOUR);
    c.close();
  }

  @Test
  void sustainMsIsNeitherCutShortNorStretchedByWallClockSteps() throws Exception {
    long sustainMs = 1_500;
    start(
        SlipstreamConfig.defaults().toBuilder()
            .sustainMs(sustainMs)
            .buffer(
                new BufferLimits(
                    200, BufferLimits.DEFAULT_MAX_BYTES, 0.5, 0.6, DropPolicy.DROP_OLDEST)));
    RecordingClient slow = server.client();
    slow.hello();
    slow.subscribe("flood");
    slow.expect("snapshot");
    slow.expect("snapshot");
    slow.pause();

    String padding = "x".repeat(16 * 1024);
    long start = System.nanoTime();
    boolean over = false;
    for (int batch = 0; batch < 500 && !over; batch++) {
      JsonArray changes = new JsonArray();
      for (int i = 0; i < 20; i++) {
        changes.add(
            new JsonObject()
                .put("op", "UPDATE")
                .put("key", "k" + i)
                .put("row", new JsonObject().put("pad", padding)));
      }
      server.publish("flood", changes);
      over = "slow".equals(((JsonObject) server.connections().getValue(0)).getString("state"));
    }
    assertThat(over).as("the paused client's buffer reached disconnect").isTrue();
    long overAt = System.nanoTime();
    // Forward, then further back: timed on the wall, the condition would end early or never.
    clock.step(5 * HOUR);
    clock.step(-7 * HOUR);

    JsonObject slowEvent = events.await("slow");
    long closedAt = System.nanoTime();
    assertThat(slowEvent.getString("reason")).contains("sustainMs");
    assertThat(TimeUnit.NANOSECONDS.toMillis(closedAt - start))
        .as("not cut short")
        .isGreaterThanOrEqualTo(sustainMs);
    assertThat(TimeUnit.NANOSECONDS.toMillis(closedAt - overAt))
        .as("not stretched")
        .isLessThan(sustainMs + 8_000);
    slow.resume();
    assertThat(slow.awaitClose(Duration.ofSeconds(20))).isEqualTo(4001);
  }

  @Test
  void aSessionsTtlIgnoresWallClockSteps() throws Exception {
    long ttl = 2_000;
    start(SlipstreamConfig.defaults().toBuilder().sessionTtlMs(ttl));
    RecordingClient first = server.client();
    JsonObject w1 = first.hello();
    first.close();
    events.await("disconnected");
    clock.step(5 * HOUR);

    // Hours later by the wall, moments later in fact: the session is still there.
    RecordingClient second = server.client();
    second.send(new JsonObject().put("type", "hello").put("resume", w1.getString("resume")));
    JsonObject w2 = second.expect("welcome");
    assertThat(w2.getBoolean("resumed")).isTrue();
    second.close();
    events.await("disconnected");
    long suspendedAt = System.nanoTime();
    clock.step(-10 * HOUR);

    // And however far back the wall steps, it expires after its TTL.
    JsonObject expired = events.await("expired");
    assertThat(expired.getString("session")).isEqualTo(w1.getString("session"));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - suspendedAt))
        .isGreaterThanOrEqualTo(ttl - 50);
  }

  /**
   * A clock whose monotonic time is real elapsed time (from an arbitrary origin, as {@link
   * System#nanoTime()}'s is) and whose wall time is the system's, shifted by {@link #step}.
   *
   * <p>Thread-safe: the test thread steps it while event loops read it.
   */
  static final class FakeWallStepClock implements Clock {

    private final long origin = System.nanoTime();
    private final AtomicLong wallOffset = new AtomicLong();

    @Override
    public long millis() {
      // A small origin, far from any wall-clock instant, as nanoTime's usually is.
      return 10_000 + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - origin);
    }

    @Override
    public long wallMillis() {
      return System.currentTimeMillis() + wallOffset.get();
    }

    /** Steps the wall clock by {@code deltaMs}, forward or back. */
    void step(long deltaMs) {
      wallOffset.addAndGet(deltaMs);
    }
  }
}
