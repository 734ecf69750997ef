package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (bug 4): nothing ever removed a topic, so its rows and history stayed until a restart.
 * {@code DELETE /api/topics/{topic}} (docs/protocol.md §7) now removes them, with the same auth as
 * publishing, and answers the new, empty epoch; a live subscriber gets {@code reset {reason:
 * deleted}}, then an empty snapshot in the new epoch, then the changes published after.
 */
class DeleteTopicRegressionIT {

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  private static JsonObject change(String op, String key) {
    JsonObject c = new JsonObject().put("op", op).put("key", key);
    return op.equals("DELETE") ? c : c.put("row", new JsonObject().put("k", key));
  }

  @Test
  void aSubscriberIsResetOntoTheNewEmptyEpochAndThenGetsNewChanges() {
    server = TestServer.start();
    RecordingClient client = server.client();
    client.hello();
    client.subscribe("d");
    client.expect("snapshot");
    client.expect("snapshot");
    JsonObject before =
        server.publish("d", new JsonArray().add(change("INSERT", "a")).add(change("INSERT", "b")));
    client.assertChange("d", 1);
    client.assertChange("d", 2);

    HttpResponse<String> r = server.request("DELETE", "/api/topics/d", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject deleted = new JsonObject(r.body());
    assertThat(deleted.getString("topic")).isEqualTo("d");
    String epoch = deleted.getString("epoch");
    assertThat(epoch).isNotBlank().isNotEqualTo(before.getString("epoch"));

    JsonObject reset = client.expect("reset");
    assertThat(reset.getString("topic")).isEqualTo("d");
    assertThat(reset.getString("reason")).isEqualTo("deleted");
    JsonObject subscribed = client.expect("subscribed");
    assertThat(subscribed.getString("epoch")).isEqualTo(epoch);
    assertThat(subscribed.getLong("seq")).isZero();
    assertThat(subscribed.getString("mode")).isEqualTo("snapshot");
    JsonObject begin = client.expect("snapshot");
    assertThat(begin.getString("phase")).isEqualTo("begin");
    assertThat(begin.getInteger("size")).isZero();
    assertThat(begin.getString("epoch")).isEqualTo(epoch);
    assertThat(client.expect("snapshot").getString("phase")).isEqualTo("end");

    JsonObject after = server.publish("d", change("INSERT", "c"));
    assertThat(after.getString("epoch")).isEqualTo(epoch);
    assertThat(after.getLong("firstSeq")).isEqualTo(1);
    JsonObject c = client.assertChange("d", 1);
    assertThat(c.getString("epoch")).isEqualTo(epoch);
    assertThat(c.getString("key")).isEqualTo("c");

    JsonObject rows = server.rows("d");
    assertThat(rows.getString("epoch")).isEqualTo(epoch);
    assertThat(rows.getLong("seq")).isEqualTo(1);
    assertThat(rows.getJsonArray("rows")).hasSize(1);
    JsonObject topic = new JsonObject(server.request("GET", "/api/topics/d", null).body());
    assertThat(topic.getJsonObject("replay"))
        .isEqualTo(new JsonObject().put("from", 1).put("to", 1));
    client.assertExhausted();
  }

  /** A client resuming from the old epoch after the delete starts over on the new one. */
  @Test
  void aSubscribeFromTheOldEpochGetsTheNewSnapshot() {
    server = TestServer.start();
    JsonObject before = server.publish("d", change("INSERT", "a"));
    String epoch =
        new JsonObject(server.request("DELETE", "/api/topics/d", null).body()).getString("epoch");
    RecordingClient client = server.client();
    client.hello();
    client.send(
        new JsonObject()
            .put("type", "subscribe")
            .put("topic", "d")
            .put("from", new JsonObject().put("epoch", before.getString("epoch")).put("seq", 1)));
    JsonObject subscribed = client.expect("subscribed");
    assertThat(subscribed.getString("epoch")).isEqualTo(epoch);
    assertThat(subscribed.getString("mode")).isEqualTo("snapshot");
    assertThat(client.expect("snapshot").getInteger("size")).isZero();
  }

  @Test
  void deletingNeedsThePublishTokenAndAnExistingTopic() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(1).publishToken("tok").build());
    String change = change("INSERT", "a").encode();
    assertThat(
            server
                .request("POST", "/api/topics/t/changes", change, "Authorization", "Bearer tok")
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> anonymous = server.request("DELETE", "/api/topics/t", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(server.request("GET", "/api/topics/t", null).body()).contains("\"seq\":1");
    HttpResponse<String> missing =
        server.request("DELETE", "/api/topics/nope", null, "Authorization", "Bearer tok");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(missing.body()).getJsonObject("error").getString("code"))
        .isEqualTo("not-found");
    assertThat(
            server
                .request("DELETE", "/api/topics/bad%20name", null, "Authorization", "Bearer tok")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            server
                .request("DELETE", "/api/topics/t", null, "Authorization", "Bearer tok")
                .statusCode())
        .isEqualTo(200);
    assertThat(new JsonObject(server.request("GET", "/api/topics/t", null).body()).getLong("seq"))
        .isZero();
  }
}
