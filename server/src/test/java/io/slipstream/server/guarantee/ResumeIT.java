package io.slipstream.server.guarantee;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Guarantees 5 (resume without loss) and 7 (sessions outlive connections for sessionTtlMs, then
 * expire), docs/protocol.md §7: clients killed abruptly at random moments come back with their
 * token and positions and get exactly what they missed.
 */
class ResumeIT {

  private static final String TOPIC = "live";

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  /** The test: 20 clients × 50 abrupt disconnects under 1,000 changes/s. */
  @Test
  void twentyClientsKilledFiftyTimesEachLoseNothingAndDoubleNothing() throws Exception {
    server = TestServer.start();
    AtomicBoolean publishing = new AtomicBoolean(true);
    Thread publisher =
        new Thread(
            () -> {
              Random r = new Random(7);
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
              int n = 0;
              while (publishing.get() && System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                JsonArray batch = new JsonArray();
                for (int i = 0; i < 10; i++, n++) {
                  String key = "k" + r.nextInt(100);
                  batch.add(
                      r.nextInt(8) == 0
                          ? new JsonObject().put("op", "DELETE").put("key", key)
                          : new JsonObject()
                              .put("op", "UPDATE")
                              .put("key", key)
                              .put("row", new JsonObject().put("n", n)));
                }
                server.publish(TOPIC, batch);
                long sleepNanos = TimeUnit.MILLISECONDS.toNanos(10) - (System.nanoTime() - t0);
                if (sleepNanos > 0) {
                  // Pacing the publisher to 1,000 changes/s, not synchronisation.
                  java.util.concurrent.locks.LockSupport.parkNanos(sleepNanos);
                }
              }
            });
    server.publish(
        TOPIC, new JsonObject().put("op", "INSERT").put("key", "k0").put("row", new JsonObject()));
    publisher.start();

    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<ResumingClient> clients = new ArrayList<>();
    List<Future<?>> runs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ResumingClient c = new ResumingClient(server.port(), new Random(i));
      clients.add(c);
      runs.add(
          pool.submit(
              () -> {
                for (int kill = 0; kill < 50; kill++) {
                  c.connectOnce(true, Long.MAX_VALUE);
                }
                return null;
              }));
    }
    for (Future<?> f : runs) {
      f.get(120, TimeUnit.SECONDS);
    }
    publishing.set(false);
    publisher.join(10_000);
    JsonObject published = server.rows(TOPIC);
    long last = published.getLong("seq");
    Map<String, String> expected = new HashMap<>();
    for (Object o : published.getJsonArray("rows")) {
      expected.put(
          ((JsonObject) o).getString("key"), ((JsonObject) o).getJsonObject("row").encode());
    }
    int resumes = 0;
    for (ResumingClient c : clients) {
      c.connectOnce(false, last);
      assertThat(c.violations).isEmpty();
      assertThat(c.duplicates).as("changes seen twice").isZero();
      assertThat(c.gaps).as("changes missing").isZero();
      assertThat(c.seq).isEqualTo(last);
      assertThat(c.rows).isEqualTo(expected);
      resumes += c.resumed;
    }
    pool.shutdownNow();
    // Every reconnect found its session: 20 × 50 kills, each followed by a resume.
    assertThat(resumes).isEqualTo(20 * 50);
  }

  @Test
  void aForgedOrUnknownTokenGetsAFreshSessionWithoutError() {
    server = TestServer.start();
    RecordingClient c = server.client();
    c.send(new JsonObject().put("type", "hello").put("resume", "forged-token-AAAAAAAAAAAAAA"));
    JsonObject w = c.expect("welcome");
    assertThat(w.getBoolean("resumed")).isFalse();
    assertThat(w.getString("session")).isNotBlank();
    c.send("{\"type\":\"ping\"}");
    c.expect("pong");
  }

  @Test
  void aTokenWorksOnceAndTheSessionRestoresItsSubscriptions() {
    server = startWithEvents();
    server.publish(
        "a", new JsonObject().put("op", "INSERT").put("key", "x").put("row", new JsonObject()));
    RecordingClient first = server.client();
    JsonObject w1 = first.hello();
    first.subscribe("a");
    first.expect("snapshot");
    first.assertChange("a", 1);
    first.expect("snapshot");
    first.send(new JsonObject().put("type", "ack").put("topic", "a").put("seq", 1));
    first.send("{\"type\":\"ping\"}");
    first.expect("pong");
    first.close();
    awaitSuspended(w1.getString("session"));
    server.publish(
        "a",
        new JsonObject()
            .put("op", "UPDATE")
            .put("key", "x")
            .put("row", new JsonObject().put("v", 2)));

    // No positions: the session's last ack (seq 1) is where the stream continues.
    RecordingClient second = server.client();
    second.send(new JsonObject().put("type", "hello").put("resume", w1.getString("resume")));
    JsonObject w2 = second.expect("welcome");
    assertThat(w2.getBoolean("resumed")).isTrue();
    assertThat(w2.getString("session")).isEqualTo(w1.getString("session"));
    assertThat(w2.getString("resume")).isNotEqualTo(w1.getString("resume"));
    JsonObject sub = second.expect("subscribed");
    assertThat(sub.getString("mode")).isEqualTo("replay");
    assertThat(sub.getLong("seq")).isEqualTo(1);
    assertThat(sub.containsKey("id")).isFalse();
    second.assertChange("a", 2);
    second.confirmWelcome();
    second.close();

    // The first token was replaced by the second welcome's, which the client got.
    RecordingClient third = server.client();
    third.send(new JsonObject().put("type", "hello").put("resume", w1.getString("resume")));
    assertThat(third.expect("welcome").getBoolean("resumed")).isFalse();
  }

  /**
   * Contract 1.1 §3: {@code hello.positions} subscribes every topic it names on a fresh session
   * too, so a client re-subscribes all its topics in one message, e.g. after a server restart
   * forgot its session.
   */
  @Test
  void helloPositionsSubscribeOnAFreshSessionToo() {
    server = TestServer.start();
    server.publish("a", new JsonArray().add(upsert("x", 1)).add(upsert("x", 2)));
    String epoch = server.rows("a").getString("epoch");
    RecordingClient c = server.client();
    c.send(
        new JsonObject()
            .put("type", "hello")
            .put("resume", "unknown-token-AAAAAAAAAAAAAA")
            .put(
                "positions",
                new JsonObject().put("a", new JsonObject().put("epoch", epoch).put("seq", 1))));
    assertThat(c.expect("welcome").getBoolean("resumed")).isFalse();
    JsonObject sub = c.expect("subscribed");
    assertThat(sub.getString("topic")).isEqualTo("a");
    assertThat(sub.getString("mode")).isEqualTo("replay");
    assertThat(sub.getLong("seq")).isEqualTo(1);
    c.assertChange("a", 2);

    // A position the log cannot replay (another epoch): reset, then a snapshot.
    RecordingClient other = server.client();
    other.send(
        new JsonObject()
            .put("type", "hello")
            .put(
                "positions",
                new JsonObject().put("a", new JsonObject().put("epoch", "gone").put("seq", 9))));
    assertThat(other.expect("welcome").getBoolean("resumed")).isFalse();
    assertThat(other.expect("reset").getString("reason")).isEqualTo("epoch-changed");
    assertThat(other.expect("subscribed").getString("mode")).isEqualTo("snapshot");
  }

  @Test
  void aPositionOfAnotherEpochIsResetThenSnapshotted() {
    server = startWithEvents();
    server.publish(
        "a", new JsonObject().put("op", "INSERT").put("key", "x").put("row", new JsonObject()));
    RecordingClient first = server.client();
    JsonObject w1 = first.hello();
    first.subscribe("a");
    first.close();
    awaitSuspended(w1.getString("session"));

    RecordingClient second = server.client();
    second.send(
        new JsonObject()
            .put("type", "hello")
            .put("resume", w1.getString("resume"))
            .put(
                "positions",
                new JsonObject().put("a", new JsonObject().put("epoch", "gone").put("seq", 1))));
    assertThat(second.expect("welcome").getBoolean("resumed")).isTrue();
    JsonObject reset = second.expect("reset");
    assertThat(reset.getString("topic")).isEqualTo("a");
    assertThat(reset.getString("reason")).isEqualTo("epoch-changed");
    assertThat(second.expect("subscribed").getString("mode")).isEqualTo("snapshot");
    assertThat(second.expect("snapshot").getString("phase")).isEqualTo("begin");
    second.assertChange("a", 1);
  }

  @Test
  void aSuspendedSessionExpiresAfterItsTtl() throws Exception {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(2).sessionTtlMs(300).build());
    RecordingLifecycle events = RecordingLifecycle.on(server);
    RecordingClient c = server.client();
    JsonObject w = c.hello();
    c.close();
    long closedAt = System.nanoTime();
    JsonObject expired = events.await("expired");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt))
        .isGreaterThanOrEqualTo(250);
    assertThat(expired.getString("session")).isEqualTo(w.getString("session"));
    RecordingClient again = server.client();
    again.send(new JsonObject().put("type", "hello").put("resume", w.getString("resume")));
    assertThat(again.expect("welcome").getBoolean("resumed")).isFalse();
  }

  private static JsonObject upsert(String key, int n) {
    return new JsonObject()
        .put("op", "UPDATE")
        .put("key", key)
        .put("row", new JsonObject().put("n", n));
  }

  private void awaitSuspended(String session) {
    // The server notices a close on its own event loop; its "disconnected" event marks the moment
    // the session is suspended.
    lifecycle.await("disconnected", session);
    assertThat(server.server().sessions().contains(session).toCompletableFuture().join()).isTrue();
  }

  private RecordingLifecycle lifecycle;

  private TestServer startWithEvents() {
    TestServer s = TestServer.start();
    lifecycle = RecordingLifecycle.on(s);
    return s;
  }

  /**
   * A client that keeps a topic's state, its resume token and its position, and checks every change
   * it applies: exactly the next seq, never one twice, never one skipped.
   */
  static final class ResumingClient {
    final int port;
    final Random random;
    String token;
    String epoch;
    long seq = -1;
    Map<String, String> rows = new HashMap<>();
    int resumed;
    int duplicates;
    int gaps;
    final List<String> violations = new ArrayList<>();
    private long unacked;

    ResumingClient(int port, Random random) {
      this.port = port;
      this.random = random;
    }

    /**
     * One connection: hello (resuming), then read; with {@code kill}, abort the socket after a
     * random number of messages; else read until {@code untilSeq} is applied.
     */
    void connectOnce(boolean kill, long untilSeq) throws IOException {
      int budget = kill ? 1 + random.nextInt(300) : Integer.MAX_VALUE;
      try (RawWebSocket ws = RawWebSocket.connect(port, "/ws")) {
        JsonObject hello = new JsonObject().put("type", "hello").put("clientId", "resumer");
        if (token != null) {
          hello.put("resume", token);
        }
        if (epoch != null) {
          hello.put(
              "positions",
              new JsonObject().put(TOPIC, new JsonObject().put("epoch", epoch).put("seq", seq)));
        }
        ws.send(hello.encode());
        Map<String, String> building = null;
        long snapshotSeq = -1;
        String snapshotEpoch = null;
        while (budget-- > 0 && seq < untilSeq) {
          RawWebSocket.Frame f = ws.read();
          if (f.isClose()) {
            violations.add("closed by server " + f.closeCode());
            return;
          }
          JsonObject m = new JsonObject(f.text());
          switch (m.getString("type")) {
            case "welcome":
              if (m.getBoolean("resumed")) {
                resumed++;
              } else if (token != null) {
                violations.add("session not resumed");
              }
              token = m.getString("resume");
              if (!m.getBoolean("resumed")) {
                JsonObject sub = new JsonObject().put("type", "subscribe").put("topic", TOPIC);
                if (epoch != null) {
                  sub.put("from", new JsonObject().put("epoch", epoch).put("seq", seq));
                }
                ws.send(sub.encode());
              }
              break;
            case "subscribed":
              if ("replay".equals(m.getString("mode")) && m.getLong("seq") != seq) {
                violations.add("replay from " + m.getLong("seq") + " but client is at " + seq);
              }
              break;
            case "snapshot":
              if ("begin".equals(m.getString("phase"))) {
                building = new HashMap<>();
                snapshotSeq = m.getLong("seq");
                snapshotEpoch = m.getString("epoch");
              } else {
                rows = building;
                building = null;
                seq = snapshotSeq;
                epoch = snapshotEpoch;
              }
              break;
            case "change":
              if (Boolean.TRUE.equals(m.getBoolean("snapshot"))) {
                building.put(m.getString("key"), m.getJsonObject("row").encode());
                break;
              }
              long s = m.getLong("seq");
              if (s <= seq) {
                duplicates++;
                break;
              }
              if (s != seq + 1) {
                gaps++;
              }
              seq = s;
              if ("DELETE".equals(m.getString("op"))) {
                rows.remove(m.getString("key"));
              } else {
                rows.put(m.getString("key"), m.getJsonObject("row").encode());
              }
              if (++unacked >= 50) {
                unacked = 0;
                ws.send(
                    new JsonObject()
                        .put("type", "ack")
                        .put("topic", TOPIC)
                        .put("seq", seq)
                        .encode());
              }
              break;
            case "ping":
              // The one after a resume's welcome: its answer retires the old token (§7).
              ws.send("{\"type\":\"pong\"}");
              break;
            case "reset":
            case "pong":
              break;
            default:
              violations.add("unexpected " + m);
          }
        }
        // try-with-resources aborts the socket: an abrupt TCP reset, no close frame.
      }
    }
  }
}
