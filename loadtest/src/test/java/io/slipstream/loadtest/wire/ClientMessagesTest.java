package io.slipstream.loadtest.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientMessagesTest {

  @Test
  void helloCarriesResumeAndPositions() {
    Map<String, ClientMessages.Position> positions = new LinkedHashMap<>();
    positions.put("orders", new ClientMessages.Position("e-1", 41));
    JsonObject hello =
        new JsonObject(ClientMessages.hello("lt-1", true, "jwt", "tok\"en", positions));
    assertThat(hello.getString("type")).isEqualTo("hello");
    assertThat(hello.getString("clientId")).isEqualTo("lt-1");
    assertThat(hello.getBoolean("batch")).isTrue();
    assertThat(hello.getString("token")).isEqualTo("jwt");
    assertThat(hello.getString("resume")).isEqualTo("tok\"en");
    assertThat(hello.getJsonObject("positions").getJsonObject("orders"))
        .isEqualTo(new JsonObject().put("epoch", "e-1").put("seq", 41));
  }

  @Test
  void plainHelloHasOnlyTypeAndClientId() {
    assertThat(new JsonObject(ClientMessages.hello("c", false, null, null, Map.of())))
        .isEqualTo(new JsonObject().put("type", "hello").put("clientId", "c"));
  }

  @Test
  void subscribeAndAck() {
    assertThat(
            new JsonObject(ClientMessages.subscribe("t", 3, new ClientMessages.Position("e", 9))))
        .isEqualTo(
            new JsonObject()
                .put("type", "subscribe")
                .put("topic", "t")
                .put("id", 3)
                .put("from", new JsonObject().put("epoch", "e").put("seq", 9)));
    assertThat(new JsonObject(ClientMessages.subscribe("t", 1, null)).containsKey("from"))
        .isFalse();
    assertThat(new JsonObject(ClientMessages.ack("t", 77)))
        .isEqualTo(new JsonObject().put("type", "ack").put("topic", "t").put("seq", 77));
  }
}
