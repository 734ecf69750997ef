package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Subscriptions over a real socket: snapshot, replay from a position, restart, unsubscribe. */
class SubscriptionIT {

  private TestServer server;
  private final Vertx clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));

  @AfterEach
  void stop() {
    clients.close().await();
    server.close();
  }

  private RecordingClient client() {
    RecordingClient c = RecordingClient.connect(clients, server.port());
    c.hello();
    return c;
  }

  private static JsonObject upsert(String key, int n) {
    return new JsonObject().put("op", "UPDATE").put("key", key).put("row", new JsonObject().put("n", n));
  }

  @Test
  void snapshotThenLiveChanges() {
    server = TestServer.start();
    server.publish("t", upsert("a", 1));
    server.publish("t", upsert("b", 2));
    RecordingClient c = client();
    JsonObject sub = c.subscribe("t");
    assertThat(sub.getString("mode")).isEqualTo("snapshot");
    assertThat(sub.getLong("seq")).isEqualTo(2);
    JsonObject begin = c.expect("snapshot");
    assertThat(begin.getString("phase")).isEqualTo("begin");
    assertThat(begin.getInteger("size")).isEqualTo(2);
    Map<String, Integer> rows = new HashMap<>();
    for (int i = 0; i < 2; i++) {
      JsonObject row = c.assertChange("t", 2);
      assertThat(row.getBoolean("snapshot")).isTrue();
      assertThat(row.getString("op")).isEqualTo("INSERT");
      assertThat(row.getLong("ts")).isPositive();
      rows.put(row.getString("key"), row.getJsonObject("row").getInteger("n"));
    }
    assertThat(rows).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1, "b", 2));
    assertThat(c.expect("snapshot").getString("phase")).isEqualTo("end");
    server.publish("t", new JsonObject().put("op", "DELETE").put("key", "a"));
    JsonObject del = c.assertChange("t", 3);
    assertThat(del.getString("op")).isEqualTo("DELETE");
    assertThat(del.containsKey("row")).isFalse();
    assertThat(del.getString("epoch")).isEqualTo(sub.getString("epoch"));
    c.assertExhausted();
  }

  @Test
  void subscribeFromAPositionInTheWindowReplaysExactlyWhatFollows() {
    server = TestServer.start();
    String epoch = null;
    for (int i = 1; i <= 10; i++) {
      epoch = server.publish("t", upsert("k" + i, i)).getString("epoch");
    }
    RecordingClient c = client();
    c.send(new JsonObject().put("type", "subscribe").put("topic", "t").put("id", "s1")
        .put("from", new JsonObject().put("epoch", epoch).put("seq", 5)));
    JsonObject sub = c.expect("subscribed");
    assertThat(sub.getString("mode")).isEqualTo("replay");
    assertThat(sub.getLong("seq")).isEqualTo(5);
    assertThat(sub.getString("id")).isEqualTo("s1");
    for (long seq = 6; seq <= 10; seq++) {
      assertThat(c.assertChange("t", seq).containsKey("snapshot")).isFalse();
    }
    server.publish("t", upsert("k11", 11));
    c.assertChange("t", 11);
    c.assertExhausted();
  }

  @Test
  void aPositionOutsideTheWindowOrOfAnotherEpochGetsASnapshot() {
    server = TestServer.start(SlipstreamConfig.defaults().toBuilder().eventLoops(2).replayLogSize(5).build());
    String epoch = null;
    for (int i = 1; i <= 20; i++) {
      epoch = server.publish("t", upsert("k" + (i % 3), i)).getString("epoch");
    }
    RecordingClient c = client();
    c.send(new JsonObject().put("type", "subscribe").put("topic", "t")
        .put("from", new JsonObject().put("epoch", epoch).put("seq", 2)));
    JsonObject sub = c.expect("subscribed");
    assertThat(sub.getString("mode")).isEqualTo("snapshot");
    assertThat(sub.getLong("seq")).isEqualTo(20);

    RecordingClient other = client();
    other.send(new JsonObject().put("type", "subscribe").put("topic", "t")
        .put("from", new JsonObject().put("epoch", "not-" + epoch).put("seq", 19)));
    assertThat(other.expect("subscribed").getString("mode")).isEqualTo("snapshot");

    RecordingClient edge = client();
    edge.send(new JsonObject().put("type", "subscribe").put("topic", "t")
        .put("from", new JsonObject().put("epoch", epoch).put("seq", 15)));
    assertThat(edge.expect("subscribed").getString("mode")).as("oldest held seq - 1").isEqualTo("replay");
    for (long seq = 16; seq <= 20; seq++) {
      edge.assertChange("t", seq);
    }
  }

  @Test
  void unsubscribeStopsDeliveryAndSubscribingAgainRestarts() {
    server = TestServer.start();
    server.publish("t", upsert("a", 1));
    RecordingClient c = client();
    c.subscribe("t");
    c.expect("snapshot");
    c.assertChange("t", 1);
    c.expect("snapshot");
    c.send(new JsonObject().put("type", "unsubscribe").put("topic", "t").put("id", 9));
    JsonObject un = c.expect("unsubscribed");
    assertThat(un.getInteger("id")).isEqualTo(9);
    server.publish("t", upsert("a", 2));
    c.send("{\"type\":\"ping\"}");
    c.expect("pong");
    c.assertExhausted();

    JsonObject again = c.subscribe("t");
    assertThat(again.getLong("seq")).isEqualTo(2);
    c.expect("snapshot");
    assertThat(c.assertChange("t", 2).getJsonObject("row").getInteger("n")).isEqualTo(2);
    c.expect("snapshot");
    // Subscribing twice restarts the subscription with a fresh snapshot.
    assertThat(c.subscribe("t").getLong("seq")).isEqualTo(2);
  }

  /**
   * A connection remembers the subscription of the last live batch's topic (to skip its map):
   * after live changes have reached it, unsubscribing stops them, and subscribing again delivers
   * each later change once, in order, after the new snapshot, also while the topic's hub channel
   * (and its topic String, which the connection's memory is keyed by) lives on for another
   * subscriber.
   */
  @Test
  void afterLiveChangesUnsubscribeAndSubscribeAgainRouteToTheCurrentSubscription() {
    server = TestServer.start();
    // Another subscriber keeps the topic's hub channel, and so its topic String, alive.
    RecordingClient other = client();
    other.subscribe("t");
    other.expect("snapshot");
    other.expect("snapshot");
    RecordingClient c = client();
    c.subscribe("t");
    c.expect("snapshot");
    c.expect("snapshot");
    server.publish("t", upsert("a", 1));
    c.assertChange("t", 1);
    c.send(new JsonObject().put("type", "unsubscribe").put("topic", "t").put("id", 9));
    c.expect("unsubscribed");
    server.publish("t", upsert("a", 2));
    c.send("{\"type\":\"ping\"}");
    c.expect("pong");
    c.assertExhausted();

    assertThat(c.subscribe("t").getLong("seq")).isEqualTo(2);
    c.expect("snapshot");
    c.assertChange("t", 2);
    c.expect("snapshot");
    server.publish("t", upsert("a", 3));
    assertThat(c.assertChange("t", 3).getJsonObject("row").getInteger("n")).isEqualTo(3);
  }

  @Test
  void aBatchingClientGetsSeveralMessagesPerFrameInOrderAndOthersNever() {
    server = TestServer.start();
    RecordingClient batching = RecordingClient.connect(clients, server.port());
    batching.send(new JsonObject().put("type", "hello").put("batch", true));
    batching.expect("welcome");
    batching.subscribe("b");
    batching.expect("snapshot");
    batching.expect("snapshot");
    RecordingClient plain = client();
    plain.subscribe("b");
    plain.expect("snapshot");
    plain.expect("snapshot");
    JsonArray changes = new JsonArray();
    for (int i = 0; i < 500; i++) {
      changes.add(upsert("k" + (i % 7), i));
    }
    server.publish("b", changes);
    for (long seq = 1; seq <= 500; seq++) {
      batching.assertChange("b", seq);
      plain.assertChange("b", seq);
    }
    assertThat(batching.arrayFrames()).isBetween(1, 499);
    assertThat(plain.arrayFrames()).isZero();
  }

  @Test
  void oneConnectionCarriesSeveralTopics() {
    server = TestServer.start();
    RecordingClient c = client();
    for (String t : new String[] {"x", "y"}) {
      c.subscribe(t);
      c.expect("snapshot");
      c.expect("snapshot");
    }
    server.publish("x", upsert("a", 1));
    c.assertChange("x", 1);
    server.publish("y", upsert("a", 1));
    c.assertChange("y", 1);
    JsonArray topics = server.connections().getJsonObject(0).getJsonArray("topics");
    assertThat(topics.getList()).containsExactlyInAnyOrder("x", "y");
  }

  /**
   * docs/protocol.md §5: snapshot rows and replayed changes are streamed under backpressure, never
   * through the buffer, so a client that keeps reading loses nothing however small its buffer.
   */
  @Test
  void aReadingClientWithATinyBufferLosesNothingToASnapshotUnderLoad() throws Exception {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .buffer(new BufferLimits(5, 1 << 20, 0.6, 0.9, DropPolicy.DROP_OLDEST))
                .build());
    for (int chunk = 0; chunk < 5; chunk++) {
      JsonArray rows = new JsonArray();
      for (int i = chunk * 1000; i < (chunk + 1) * 1000; i++) {
        rows.add(upsert("k" + i, i).put("row", new JsonObject().put("n", i).put("pad", "p".repeat(200))));
      }
      server.publish("big", rows);
    }
    AtomicBoolean stop = new AtomicBoolean();
    Thread publisher =
        new Thread(
            () -> {
              for (int i = 0; i < 300 && !stop.get(); i++) {
                server.publish("big", upsert("k" + (i % 50), -i));
              }
            });
    RecordingClient c = client();
    publisher.start();
    JsonObject sub = c.subscribe("big");
    long next = sub.getLong("seq") + 1;
    int snapshotRows = 0;
    while (true) {
      JsonObject m = c.next();
      String type = m.getString("type");
      if (type.equals("snapshot")) {
        if ("end".equals(m.getString("phase"))) {
          break;
        }
        continue;
      }
      assertThat(type).isEqualTo("change");
      snapshotRows++;
    }
    assertThat(snapshotRows).isEqualTo(5000);
    publisher.join(60_000);
    long last = server.rows("big").getLong("seq");
    while (next <= last) {
      JsonObject m = c.next();
      assertThat(m.getString("type")).as("no drops, no warnings: %s", m).isEqualTo("change");
      assertThat(m.getLong("seq")).isEqualTo(next++);
    }
    c.assertExhausted();
  }
}
