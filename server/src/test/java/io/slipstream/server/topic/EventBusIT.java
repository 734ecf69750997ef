package io.slipstream.server.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.server.eventbus.Lifecycle;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The event-bus contract of docs/protocol.md §11: publishing by request/reply and lifecycle events.
 */
class EventBusIT {

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anyVerticleCanPublishByRequestReply() {
    server = TestServer.start();
    RecordingClient c = server.client();
    c.hello();
    c.subscribe("eb");
    c.expect("snapshot");
    c.expect("snapshot");

    JsonObject one =
        server.vertx().eventBus().<JsonObject>request(
                SequencerVerticle.PUBLISH_ADDRESS,
                new JsonObject().put("topic", "eb").put("op", "INSERT").put("key", "a").put("row", new JsonObject().put("v", 1)))
            .await().body();
    assertThat(one.getLong("firstSeq")).isEqualTo(1);
    assertThat(one.getLong("lastSeq")).isEqualTo(1);
    assertThat(one.getString("epoch")).isNotBlank();
    c.assertChange("eb", 1);

    JsonObject many =
        server.vertx().eventBus().<JsonObject>request(
                SequencerVerticle.PUBLISH_ADDRESS,
                new JsonObject().put("topic", "eb").put("changes", new JsonArray()
                    .add(new JsonObject().put("op", "UPDATE").put("key", "a").put("row", new JsonObject()))
                    .add(new JsonObject().put("op", "DELETE").put("key", "a"))))
            .await().body();
    assertThat(many.getLong("firstSeq")).isEqualTo(2);
    assertThat(many.getLong("lastSeq")).isEqualTo(3);
    c.assertChange("eb", 2);
    c.assertChange("eb", 3);
  }

  @Test
  void aBadPublishRequestFailsWith400AndAppliesNothing() {
    server = TestServer.start();
    for (JsonObject bad :
        new JsonObject[] {
          new JsonObject().put("op", "INSERT").put("key", "a").put("row", new JsonObject()),
          new JsonObject().put("topic", "x y").put("op", "INSERT").put("key", "a").put("row", new JsonObject()),
          new JsonObject().put("topic", "eb").put("op", "INSERT").put("key", "a"),
          new JsonObject().put("topic", "eb").put("changes", new JsonArray().add(new JsonObject().put("op", "DELETE").put("key", "a")).add(1)),
        }) {
      assertThatThrownBy(
              () -> server.vertx().eventBus().request(SequencerVerticle.PUBLISH_ADDRESS, bad).await())
          .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
    }
    assertThat(server.request("GET", "/api/topics/eb", null).statusCode()).isEqualTo(404);
  }

  @Test
  void connectionsAnnounceTheirLifecycle() throws Exception {
    server = TestServer.start();
    LinkedBlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    server.vertx().eventBus().<JsonObject>consumer(Lifecycle.ADDRESS, m -> events.add(m.body()))
        .completion().await();
    RecordingClient c = server.client();
    String session = c.hello().getString("session");
    JsonObject connected = events.poll(10, TimeUnit.SECONDS);
    assertThat(connected.getString("event")).isEqualTo("connected");
    assertThat(connected.getString("session")).isEqualTo(session);
    assertThat(connected.getString("connection")).isNotBlank();
    assertThat(connected.getLong("ts")).isPositive();
    c.close();
    JsonObject disconnected = events.poll(10, TimeUnit.SECONDS);
    assertThat(disconnected.getString("event")).isEqualTo("disconnected");
    assertThat(disconnected.getString("session")).isEqualTo(session);
  }
}
