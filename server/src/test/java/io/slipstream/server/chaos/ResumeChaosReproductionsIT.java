package io.slipstream.server.chaos;

import static io.slipstream.server.chaos.ResumeChaosIT.BUFFER_MAX;
import static io.slipstream.server.chaos.ResumeChaosIT.BUFFER_MAX_BYTES;
import static io.slipstream.server.chaos.ResumeChaosIT.DISCONNECT;
import static io.slipstream.server.chaos.ResumeChaosIT.SUSTAIN_MS;
import static io.slipstream.server.chaos.ResumeChaosIT.WARN;
import static io.slipstream.server.chaos.ResumeChaosIT.changes;
import static io.slipstream.server.chaos.ResumeChaosIT.publishBulk;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The faults {@link ResumeChaosIT} meets at random, each reproduced on one or two clients in a few
 * seconds (docs/protocol.md, welcome and slow consumers): what a fix must make pass.
 *
 * <p>Each test is bounded by its {@link Timeout} and every read by the socket's timeout.
 */
class ResumeChaosReproductionsIT {

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /**
   * Minimal reproduction of what the chaos's takeovers hit (docs/protocol.md, welcome: "every
   * subscription the session held (also those of a connection of the same session that is still
   * open: it is closed with 1000 and its positions are taken over) is restored, each with its
   * subscribed"): a client that reconnects before the server noticed its old socket, naming no
   * positions, gets its old topics back.
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aTakeoverRestoresTheSubscriptionsOfTheConnectionStillOpen() throws Exception {
    server = TestServer.start();
    server.publish("a", changes(new Random(1), 0, 1, 10, 10));
    server.publish("b", changes(new Random(2), 0, 1, 10, 10));
    try (RawWebSocket first = RawWebSocket.connect(server.port(), "/ws");
        RawWebSocket second = RawWebSocket.connect(server.port(), "/ws")) {
      first.send("{\"type\":\"hello\"}");
      String token = next(first, "welcome").getString("resume");
      first.send("{\"type\":\"subscribe\",\"topic\":\"a\"}");
      first.send("{\"type\":\"subscribe\",\"topic\":\"b\"}");
      awaitSnapshotEnds(first, 2);
      // first is still open: the server has noticed nothing.
      second.send(new JsonObject().put("type", "hello").put("resume", token).encode());
      assertThat(next(second, "welcome").getBoolean("resumed")).isTrue();
      java.util.Set<String> restored = new java.util.HashSet<>();
      second.readTimeout(5_000);
      while (restored.size() < 2) {
        JsonObject m;
        try {
          m = next(second, null);
        } catch (java.net.SocketTimeoutException e) {
          break;
        }
        if ("subscribed".equals(m.getString("type"))) {
          restored.add(m.getString("topic"));
        }
      }
      assertThat(restored)
          .as("topics restored with subscribed after the takeover")
          .containsExactlyInAnyOrder("a", "b");
    }
  }

  /**
   * Minimal reproduction of the chaos's "subscribed again after unsubscribed": a takeover restores
   * the subscriptions of the connection still open, not those the session recorded when an earlier
   * connection ended; a topic that connection unsubscribed stays unsubscribed.
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aTakeoverDoesNotRestoreATopicTheConnectionStillOpenUnsubscribed() throws Exception {
    server = TestServer.start();
    server.publish("a", changes(new Random(1), 0, 1, 10, 10));
    server.publish("b", changes(new Random(2), 0, 1, 10, 10));
    String token;
    try (RawWebSocket first = RawWebSocket.connect(server.port(), "/ws")) {
      first.send("{\"type\":\"hello\"}");
      token = next(first, "welcome").getString("resume");
      first.send("{\"type\":\"subscribe\",\"topic\":\"a\"}");
      first.send("{\"type\":\"subscribe\",\"topic\":\"b\"}");
      awaitSnapshotEnds(first, 2);
      first.closeGracefully(1000, 5_000); // the session is suspended holding a and b
    }
    try (RawWebSocket second = RawWebSocket.connect(server.port(), "/ws");
        RawWebSocket third = RawWebSocket.connect(server.port(), "/ws")) {
      second.send(new JsonObject().put("type", "hello").put("resume", token).encode());
      JsonObject welcome = next(second, "welcome");
      assertThat(welcome.getBoolean("resumed")).isTrue();
      second.send("{\"type\":\"unsubscribe\",\"topic\":\"b\"}");
      // The restored subscriptions' streams come first or around it.
      while (!"unsubscribed".equals(next(second, null).getString("type"))) {
        // skip
      }
      // second is still open and holds only a.
      third.send(
          new JsonObject()
              .put("type", "hello")
              .put("resume", welcome.getString("resume"))
              .encode());
      assertThat(next(third, "welcome").getBoolean("resumed")).isTrue();
      // A read that waits past this fails the test instead of hanging it (pings every 15 s
      // would restart the socket's own timeout).
      third.readTimeout(10_000);
      List<String> seen = new ArrayList<>();
      // a comes back by snapshot (nothing was acked); only once it is live is a change published
      // now sure to arrive as a live change. Publishing before that was the 2026-12-04 hang: a
      // restore that read the topic after the publish carried the change as a snapshot row, and
      // the loop below waited for a live one forever.
      while (true) {
        JsonObject m = next(third, null);
        seen.add(m.getString("type") + " " + m.getString("topic"));
        if ("snapshot".equals(m.getString("type"))
            && "end".equals(m.getString("phase"))
            && "a".equals(m.getString("topic"))) {
          break;
        }
      }
      // b's change is published (and delivered to this connection's loop, were it subscribed)
      // before a's: a's change arriving first proves b was not restored.
      server.publish("b", changes(new Random(3), 1, 1, 10, 10));
      server.publish("a", changes(new Random(4), 1, 1, 10, 10));
      while (true) {
        JsonObject m = next(third, null);
        seen.add(m.getString("type") + " " + m.getString("topic"));
        if ("change".equals(m.getString("type"))
            && "a".equals(m.getString("topic"))
            && !m.containsKey("snapshot")) {
          break;
        }
      }
      assertThat(seen)
          .as("what the third connection got up to a's change")
          .noneMatch(t -> t.endsWith(" b"));
    }
  }

  /**
   * Minimal reproduction of the chaos's "stalled while its topics' live events were neither queued
   * nor dropped": a client that stops reading while its subscriptions are catching up must still be
   * closed 4001, since live events queue behind the catch-up in the buffer (docs/protocol.md:
   * snapshot rows are streamed under backpressure "and live events queue behind them in the
   * buffer"), which then stays full for sustainMs.
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aClientThatStopsReadingWhileCatchingUpIsClosedAfterSustainMs() throws Exception {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .sustainMs(SUSTAIN_MS)
                .buffer(
                    new BufferLimits(
                        BUFFER_MAX, BUFFER_MAX_BYTES, WARN, DISCONNECT, DropPolicy.DROP_OLDEST))
                .build());
    LifecycleLog lifecycle = LifecycleLog.listen(server.vertx());
    publishBulk(server, "big");
    server.publish("live", changes(new Random(1), 0, 1, 10, 10));
    AtomicBoolean publishing = new AtomicBoolean(true);
    try (RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws", ChaosClient.RECEIVE_BUFFER)) {
      ws.send("{\"type\":\"hello\"}");
      String session = next(ws, "welcome").getString("session");
      long since = System.currentTimeMillis();
      // Both catch up: big's snapshot (megabytes) first, then live's; and nothing is read.
      ws.send("{\"type\":\"subscribe\",\"topic\":\"big\"}");
      ws.send("{\"type\":\"subscribe\",\"topic\":\"live\"}");
      Thread publisher =
          new Thread(
              () -> {
                Random r = new Random(2);
                while (publishing.get()) {
                  server.publish("live", changes(r, 1, 20, 200, 200)); // 400 changes a second
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // pacing
                }
              });
      publisher.setDaemon(true);
      publisher.start();
      try {
        // 200 live events fill the buffer within a second; sustainMs later it is closed.
        assertThat(lifecycle.await(session, "slow", since, 8_000))
            .as(
                "slow within 8 s of stopping to read while catching up; the node has %s",
                server.connections())
            .isNotNull();
      } finally {
        publishing.set(false);
        publisher.join(5_000);
      }
    }
  }

  /** The next text message of {@code ws}, which must be of {@code type} unless null. */
  private static JsonObject next(RawWebSocket ws, String type) throws java.io.IOException {
    RawWebSocket.Frame f = ws.read();
    assertThat(f.isClose()).as("closed %s", f.closeCode()).isFalse();
    JsonObject m = new JsonObject(f.text());
    if (type != null) {
      assertThat(m.getString("type")).as("message %s", m).isEqualTo(type);
    }
    return m;
  }

  private static void awaitSnapshotEnds(RawWebSocket ws, int count) throws java.io.IOException {
    for (int ends = 0; ends < count; ) {
      JsonObject m = next(ws, null);
      if ("snapshot".equals(m.getString("type")) && "end".equals(m.getString("phase"))) {
        ends++;
      }
    }
  }
}
