package io.slipstream.server.guarantee;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.testing.MirrorClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guarantees of docs/protocol.md §5, order and snapshot consistency: clients that subscribe
 * while a publisher hammers the topic each rebuild exactly the published state, with seqs strictly
 * +1 after their snapshot.
 */
class SnapshotConsistencyIT {

  private static final String TOPIC = "orders";
  private static final int CLIENTS = 50;
  private static final int CHANGES = 20_000;
  private static final int KEYS = 200;
  private static final int BATCH = 10;

  private TestServer server;
  private Vertx clients;

  @BeforeEach
  void start() {
    server = TestServer.start();
    clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  @AfterEach
  void stop() {
    clients.close().await();
    server.close();
  }

  @Test
  void fiftyClientsJoiningMidStreamEachRebuildTheFinalState() throws Exception {
    Random random = new Random(42);
    List<MirrorClient> mirrors = new ArrayList<>();
    int batches = CHANGES / BATCH;
    int joinEvery = batches / CLIENTS;
    long lastSeq = 0;
    for (int b = 0; b < batches; b++) {
      if (b % joinEvery == 0 && mirrors.size() < CLIENTS) {
        // Subscribe without waiting: the snapshot is taken while the next batches are published.
        mirrors.add(MirrorClient.subscribe(clients, server.port(), TOPIC));
      }
      JsonArray changes = new JsonArray();
      for (int i = 0; i < BATCH; i++) {
        String key = "k" + random.nextInt(KEYS);
        int op = random.nextInt(10);
        if (op == 0) {
          changes.add(new JsonObject().put("op", "DELETE").put("key", key));
        } else {
          changes.add(
              new JsonObject()
                  .put("op", op < 4 ? "INSERT" : "UPDATE")
                  .put("key", key)
                  .put("row", new JsonObject().put("n", b * BATCH + i).put("key", key)));
        }
      }
      lastSeq = server.publish(TOPIC, changes).getLong("lastSeq");
    }
    assertThat(lastSeq).isEqualTo(CHANGES);

    JsonObject published = server.rows(TOPIC);
    assertThat(published.getLong("seq")).isEqualTo(CHANGES);
    Map<String, JsonObject> expected = new HashMap<>();
    for (Object o : published.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      expected.put(r.getString("key"), r.getJsonObject("row"));
    }

    for (MirrorClient m : mirrors) {
      assertThat(m.awaitSeq(CHANGES, 30_000)).as("client reached the last seq").isTrue();
      assertThat(m.violations()).isEmpty();
      assertThat(m.rows()).isEqualTo(expected);
    }
    long distinctSnapshotSeqs = mirrors.stream().map(MirrorClient::snapshotSeq).distinct().count();
    mirrors.forEach(MirrorClient::close);
    // The clients really did join at different points of the stream.
    assertThat(distinctSnapshotSeqs).isGreaterThan(CLIENTS / 2);
  }
}
