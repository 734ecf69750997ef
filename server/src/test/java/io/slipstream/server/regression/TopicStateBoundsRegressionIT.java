package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (bug 4): topic state was bounded only by event counts, never by bytes, so a few topics
 * of large rows could take the whole heap. Now each replay log is bounded by {@code replayLogBytes}
 * (the oldest events go, and replay from before them becomes a snapshot), and all topics together
 * by {@code topicStateBudgetBytes}: a publish that would pass it gets 507 {@code storage-full} and
 * changes nothing (docs/protocol.md §7).
 */
class TopicStateBoundsRegressionIT {

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  private static String padded(String key, int bytes) {
    return new JsonObject()
        .put("op", "UPDATE")
        .put("key", key)
        .put("row", new JsonObject().put("pad", "x".repeat(bytes)))
        .encode();
  }

  private HttpResponse<String> post(String topic, String body) {
    return server.request("POST", "/api/topics/" + topic + "/changes", body);
  }

  @Test
  void aPublishBeyondTheTopicStateBudgetGets507AndChangesNothing() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(1)
                .topicStateBudgetBytes(1 << 20)
                .build());
    HttpResponse<String> r = null;
    int applied = 0;
    for (int i = 0; i < 200; i++) {
      r = post("big", padded("k" + i, 20_000));
      if (r.statusCode() != 200) {
        break;
      }
      applied++;
    }
    assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code"))
        .isEqualTo("storage-full");
    assertThat(applied).as("the budget held some first").isGreaterThan(5);
    JsonObject rows = server.rows("big");
    assertThat(rows.getLong("seq")).isEqualTo(applied);
    assertThat(rows.getJsonArray("rows")).hasSize(applied);
    // Still full for another topic, and the refused publish leaves no topic behind.
    assertThat(post("other", padded("a", 20_000)).statusCode()).isEqualTo(507);
    assertThat(server.request("GET", "/api/topics/other", null).statusCode()).isEqualTo(404);
    assertThat(server.rows("big")).isEqualTo(rows);
    assertThat(server.request("GET", "/metrics", null).body())
        .contains("slipstream_publishes_total{outcome=\"storage_full\"} 2.0");

    assertThat(server.request("DELETE", "/api/topics/big", null).statusCode()).isEqualTo(200);
    assertThat(post("other", padded("a", 20_000)).statusCode())
        .as("the delete gave the bytes back")
        .isEqualTo(200);
  }

  @Test
  void aReplayLogOverReplayLogBytesEvictsItsOldestEvents() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(1).replayLogBytes(8_192).build());
    JsonObject first = null;
    for (int i = 0; i < 20; i++) {
      JsonObject ok = new JsonObject(post("t", padded("k", 1_000)).body());
      first = first == null ? ok : first;
    }
    JsonObject replay =
        new JsonObject(server.request("GET", "/api/topics/t", null).body()).getJsonObject("replay");
    assertThat(replay.getLong("to")).isEqualTo(20);
    // Each event is ~2 KB (frame and row): 8 KiB keeps the newest few, not 20.
    assertThat(replay.getLong("from")).isBetween(14L, 20L);

    String epoch = first.getString("epoch");
    RecordingClient client = server.client();
    client.hello();
    client.send(subscribeFrom("t", epoch, 1));
    assertThat(client.expect("subscribed").getString("mode"))
        .as("seq 2 was evicted: no replay from 1")
        .isEqualTo("snapshot");
    client.expect("snapshot");
    client.expect("change");
    client.expect("snapshot");
    long from = replay.getLong("from");
    client.send(subscribeFrom("t", epoch, from - 1));
    JsonObject again = client.expect("subscribed");
    assertThat(again.getString("mode")).isEqualTo("replay");
    for (long s = from; s <= 20; s++) {
      client.assertChange("t", s);
    }
  }

  private static JsonObject subscribeFrom(String topic, String epoch, long seq) {
    return new JsonObject()
        .put("type", "subscribe")
        .put("topic", topic)
        .put("from", new JsonObject().put("epoch", epoch).put("seq", seq));
  }
}
