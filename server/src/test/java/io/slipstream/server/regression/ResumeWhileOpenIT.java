package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: a resume while the session's old socket was still open restored nothing. The session
 * recorded its topics only when a connection was released, so a client that came back (a network
 * switch) before the server noticed its old socket die got {@code resumed: true} and no {@code
 * subscribed}; and topics the session had recorded on an earlier release restarted from that older
 * ack, so their changes came twice.
 *
 * <p>Contract 1.1 §4 {@code welcome}: the old connection is closed with 1000, its subscriptions and
 * positions are taken over (it may live on another event loop), every one is restored with its
 * {@code subscribed}, and the client's own {@code hello.positions} still win. Of two resumes racing
 * with one token, exactly one resumes.
 */
class ResumeWhileOpenIT {

  private TestServer server;
  private RecordingLifecycle events;

  @BeforeEach
  void start() {
    // Heartbeats far apart: RawWebSocket answers pings as it reads, so frequent pings would keep
    // a read waiting for a message that never comes from ever timing out.
    server = TestServer.startWithoutHeartbeats();
    events = RecordingLifecycle.on(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theOpenConnectionsSubscriptionsAreTakenOverFromTheirPositions() {
    upsert("a", "x", 1);
    upsert("b", "y", 1);
    RecordingClient old = server.client();
    JsonObject w1 = old.hello();
    subscribeThroughSnapshot(old, "a");
    subscribeThroughSnapshot(old, "b");
    upsert("a", "x", 2);
    old.assertChange("a", 2);
    ack(old, "a", 2);

    // The client comes back on a new socket; the server has not noticed the old one die.
    RecordingClient fresh = server.client();
    fresh.send(new JsonObject().put("type", "hello").put("resume", w1.getString("resume")));
    JsonObject w2 = fresh.expect("welcome");
    assertThat(w2.getBoolean("resumed")).isTrue();
    assertThat(w2.getString("session")).isEqualTo(w1.getString("session"));
    assertThat(old.awaitClose(Duration.ofSeconds(10))).isEqualTo(1000);

    Map<String, List<JsonObject>> byTopic = readRestored(fresh, "a", "b");
    JsonObject a = byTopic.get("a").get(0);
    assertThat(a.getString("type")).isEqualTo("subscribed");
    // After the last ack: replay from seq 2, so nothing the client applied comes twice.
    assertThat(a.getString("mode")).isEqualTo("replay");
    assertThat(a.getLong("seq")).isEqualTo(2);
    assertThat(byTopic.get("a")).hasSize(1);
    JsonObject b = byTopic.get("b").get(0);
    assertThat(b.getString("type")).isEqualTo("subscribed");
    // A snapshot never acked proves nothing: a new snapshot.
    assertThat(b.getString("mode")).isEqualTo("snapshot");

    upsert("a", "x", 3);
    fresh.assertChange("a", 3);
    fresh.assertExhausted();
  }

  @Test
  void theClientsOwnPositionsWinOverTheTakenOverOnes() {
    upsert("a", "x", 1);
    upsert("a", "x", 2);
    RecordingClient old = server.client();
    JsonObject w1 = old.hello();
    subscribeThroughSnapshot(old, "a");
    ack(old, "a", 2);
    String epoch = server.rows("a").getString("epoch");

    RecordingClient fresh = server.client();
    fresh.send(
        new JsonObject()
            .put("type", "hello")
            .put("resume", w1.getString("resume"))
            .put("positions", new JsonObject().put("a", position(epoch, 1))));
    assertThat(fresh.expect("welcome").getBoolean("resumed")).isTrue();
    JsonObject sub = fresh.expect("subscribed");
    assertThat(sub.getString("topic")).isEqualTo("a");
    assertThat(sub.getLong("seq")).isEqualTo(1);
    fresh.assertChange("a", 2);
    assertThat(old.awaitClose(Duration.ofSeconds(10))).isEqualTo(1000);
  }

  @Test
  void aTopicRecordedAtAnEarlierReleaseDoesNotRestartFromItsOlderAck() {
    upsert("a", "x", 1);
    upsert("a", "x", 2);
    RecordingClient first = server.client();
    JsonObject w1 = first.hello();
    subscribeThroughSnapshot(first, "a");
    ack(first, "a", 2);
    first.close();
    events.await("disconnected", w1.getString("session"));

    // The session recorded a@2. The second connection gets further, acks 4, and stays open.
    RecordingClient second = server.client();
    second.send(new JsonObject().put("type", "hello").put("resume", w1.getString("resume")));
    JsonObject w2 = second.expect("welcome");
    assertThat(second.expect("subscribed").getLong("seq")).isEqualTo(2);
    upsert("a", "x", 3);
    upsert("a", "x", 4);
    second.assertChange("a", 3);
    second.assertChange("a", 4);
    ack(second, "a", 4);

    RecordingClient third = server.client();
    third.send(new JsonObject().put("type", "hello").put("resume", w2.getString("resume")));
    assertThat(third.expect("welcome").getBoolean("resumed")).isTrue();
    JsonObject sub = third.expect("subscribed");
    assertThat(sub.getString("mode")).isEqualTo("replay");
    assertThat(sub.getLong("seq"))
        .as("resumes after the open connection's ack, not the older one")
        .isEqualTo(4);
    upsert("a", "x", 5);
    third.assertChange("a", 5);
    assertThat(second.awaitClose(Duration.ofSeconds(10))).isEqualTo(1000);
  }

  /**
   * Two hellos racing with one token: a token resumes until the welcome with its successor went
   * out (docs/protocol.md §7), so both may resume, the later taking the session over from the
   * earlier (closed 1000); or the later one came after that welcome and gets a fresh session.
   * Either way one connection ends up holding the session, restored, and the old one is closed.
   */
  @Test
  void ofTwoResumesRacingWithOneTokenOneEndsUpHoldingTheSession() throws Exception {
    upsert("a", "x", 1);
    RecordingClient old = server.client();
    JsonObject w1 = old.hello();
    subscribeThroughSnapshot(old, "a");
    String hello =
        new JsonObject().put("type", "hello").put("resume", w1.getString("resume")).encode();

    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<RawWebSocket> sockets = new ArrayList<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<JsonObject>> welcomes = new ArrayList<>();
      List<CompletableFuture<Void>> restored = new ArrayList<>();
      List<CompletableFuture<Integer>> closed = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws");
        sockets.add(ws);
        CompletableFuture<JsonObject> welcome = new CompletableFuture<>();
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        CompletableFuture<Integer> close = new CompletableFuture<>();
        welcomes.add(welcome);
        restored.add(subscribed);
        closed.add(close);
        pool.submit(
            () -> {
              go.await();
              ws.send(hello);
              welcome.complete(new JsonObject(ws.read().text()));
              for (RawWebSocket.Frame f = ws.read(); ; f = ws.read()) {
                if (f.isClose()) {
                  close.complete(f.closeCode());
                  return null;
                }
                JsonObject m = new JsonObject(f.text());
                if ("subscribed".equals(m.getString("type")) && "a".equals(m.getString("topic"))) {
                  subscribed.complete(null);
                }
              }
            });
      }
      go.countDown();
      JsonObject one = welcomes.get(0).get(20, TimeUnit.SECONDS);
      JsonObject other = welcomes.get(1).get(20, TimeUnit.SECONDS);
      assertThat(one.getString("type")).isEqualTo("welcome");
      assertThat(other.getString("type")).isEqualTo("welcome");
      assertThat(one.getBoolean("resumed") || other.getBoolean("resumed")).isTrue();
      int holder;
      if (one.getBoolean("resumed") && other.getBoolean("resumed")) {
        // The earlier was taken over by the later: its socket closes 1000, the other holds.
        CompletableFuture.anyOf(closed.get(0), closed.get(1)).get(10, TimeUnit.SECONDS);
        int replaced = closed.get(0).isDone() ? 0 : 1;
        assertThat(closed.get(replaced).join()).as("the earlier resume closed").isEqualTo(1000);
        holder = 1 - replaced;
        assertThat(one.getString("session")).isEqualTo(other.getString("session"));
      } else {
        holder = one.getBoolean("resumed") ? 0 : 1;
        JsonObject loser = holder == 0 ? other : one;
        assertThat(loser.getString("session")).isNotEqualTo(w1.getString("session"));
      }
      JsonObject held = holder == 0 ? one : other;
      assertThat(held.getString("session")).isEqualTo(w1.getString("session"));
      restored.get(holder).get(10, TimeUnit.SECONDS);
      assertThat(old.awaitClose(Duration.ofSeconds(10))).isEqualTo(1000);
      assertThat(closed.get(holder)).as("the holder stays open").isNotDone();
    } finally {
      sockets.forEach(RawWebSocket::close);
      pool.shutdownNow();
    }
  }

  private void upsert(String topic, String key, int n) {
    server.publish(
        topic,
        new JsonObject()
            .put("op", "UPDATE")
            .put("key", key)
            .put("row", new JsonObject().put("n", n)));
  }

  private static JsonObject position(String epoch, long seq) {
    return new JsonObject().put("epoch", epoch).put("seq", seq);
  }

  /** Subscribes and reads the snapshot through its end. */
  private static void subscribeThroughSnapshot(RecordingClient c, String topic) {
    c.subscribe(topic);
    assertThat(c.expect("snapshot").getString("phase")).isEqualTo("begin");
    JsonObject m;
    while (!"snapshot".equals((m = c.next()).getString("type"))) {
      assertThat(m.getBoolean("snapshot")).as("snapshot row %s", m).isTrue();
    }
  }

  /** Acks, then waits for a pong, so the ack has been handled when this returns. */
  private static void ack(RecordingClient c, String topic, long seq) {
    c.send(new JsonObject().put("type", "ack").put("topic", topic).put("seq", seq));
    c.send(new JsonObject().put("type", "ping"));
    c.expect("pong");
  }

  /**
   * Messages per topic, in order, until {@code replayed} was announced and {@code snapshotted}'s
   * snapshot has ended (the two restored subscriptions start independently).
   */
  private static Map<String, List<JsonObject>> readRestored(
      RecordingClient c, String replayed, String snapshotted) {
    Map<String, List<JsonObject>> byTopic = new HashMap<>();
    boolean snapshotEnded = false;
    while (!snapshotEnded || !byTopic.containsKey(replayed)) {
      JsonObject m = c.next();
      byTopic.computeIfAbsent(m.getString("topic"), t -> new ArrayList<>()).add(m);
      snapshotEnded |=
          snapshotted.equals(m.getString("topic"))
              && "snapshot".equals(m.getString("type"))
              && "end".equals(m.getString("phase"));
    }
    return byTopic;
  }
}
