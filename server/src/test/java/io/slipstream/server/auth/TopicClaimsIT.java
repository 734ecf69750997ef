package io.slipstream.server.auth;

import static io.slipstream.server.testing.JwtTokens.in;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.AccessConfig;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.JwtTokens;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The claims of a token at the wire (docs/protocol.md §3): {@code topics} patterns bound what a
 * connection may subscribe to, by {@code subscribe}, by {@code hello.positions} and when a resumed
 * session restores its subscriptions; outside them, {@code error forbidden} and nothing is
 * subscribed, and the connection stays open. {@code sub} is the client id.
 */
class TopicClaimsIT {

  private TestServer server;

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(1)
                .access(AccessConfig.DEFAULTS.withJwtPublicKey(JwtTokens.RSA_PEM))
                .build());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String token(String sub, String... topics) {
    JsonObject claims = new JsonObject().put("sub", sub).put("exp", in(3600));
    if (topics.length > 0) {
      claims.put("topics", new JsonArray(List.of((Object[]) topics)));
    }
    return JwtTokens.rs256(JwtTokens.RSA, null, claims);
  }

  private static JsonObject upsert(String key) {
    return new JsonObject().put("op", "UPDATE").put("key", key).put("row", new JsonObject());
  }

  private static void snapshot(RecordingClient c) {
    assertThat(c.expect("snapshot").getString("phase")).isEqualTo("begin");
    assertThat(c.expect("snapshot").getString("phase")).isEqualTo("end");
  }

  @Test
  void aSubscribeOutsideTheTopicsIsForbiddenAndSubscribesNothing() {
    RecordingClient c = server.client();
    c.send(
        new JsonObject()
            .put("type", "hello")
            .put("clientId", "ignored")
            .put("token", token("alice", "orders.*", "prices")));
    c.expect("welcome");
    c.subscribe("orders.eu");
    snapshot(c);
    c.subscribe("prices");
    snapshot(c);
    c.send(new JsonObject().put("type", "subscribe").put("topic", "payroll").put("id", 7));
    JsonObject e = c.assertError("forbidden");
    assertThat(e.getInteger("id")).isEqualTo(7);
    assertThat(e.getString("message")).contains("payroll");
    // "orders.*" does not reach "orders" itself, nor does "prices" reach "prices.eu".
    c.send(new JsonObject().put("type", "subscribe").put("topic", "orders"));
    c.assertError("forbidden");
    c.send(new JsonObject().put("type", "subscribe").put("topic", "prices.eu"));
    c.assertError("forbidden");

    server.publish("payroll", upsert("k"));
    server.publish("orders.eu", upsert("k"));
    c.assertChange("orders.eu", 1);
    JsonObject mine = server.connections().getJsonObject(0);
    assertThat(mine.getString("clientId")).as("sub overrides hello.clientId").isEqualTo("alice");
    assertThat(mine.getJsonArray("topics")).containsExactlyInAnyOrder("orders.eu", "prices");
    c.send(new JsonObject().put("type", "ping"));
    c.expect("pong");
  }

  @Test
  void helloPositionsOutsideTheTopicsAreForbiddenOneByOne() {
    server.publish("a", upsert("k"));
    String epoch = server.rows("a").getString("epoch");
    RecordingClient c = server.client();
    JsonObject at = new JsonObject().put("epoch", epoch).put("seq", 1);
    c.send(
        new JsonObject()
            .put("type", "hello")
            .put("token", token("bob", "a"))
            .put("positions", new JsonObject().put("a", at).put("b", at)));
    c.expect("welcome");
    List<JsonObject> seen = drainUntilSubscribedAndForbidden(c, "a", "b");
    assertThat(seen)
        .noneMatch(
            m -> "subscribed".equals(m.getString("type")) && "b".equals(m.getString("topic")));
    assertThat(server.connections().getJsonObject(0).getJsonArray("topics")).containsExactly("a");
  }

  @Test
  void aResumedSessionRestoresOnlyWhatTheNewTokenAllows() {
    RecordingClient first = server.client();
    first.send(new JsonObject().put("type", "hello").put("token", token("carol")));
    String resume = first.expect("welcome").getString("resume");
    first.subscribe("a");
    snapshot(first);
    first.subscribe("b");
    snapshot(first);
    first.close();

    RecordingClient second = server.client();
    second.send(
        new JsonObject()
            .put("type", "hello")
            .put("resume", resume)
            .put("token", token("carol", "a")));
    assertThat(second.expect("welcome").getBoolean("resumed")).isTrue();
    drainUntilSubscribedAndForbidden(second, "a", "b");
    server.publish("b", upsert("k"));
    server.publish("a", upsert("k"));
    second.assertChange("a", 1);
  }

  /**
   * Reads until {@code subscribed} for {@code allowed} and {@code forbidden} about {@code denied}.
   */
  private static List<JsonObject> drainUntilSubscribedAndForbidden(
      RecordingClient c, String allowed, String denied) {
    List<JsonObject> seen = new ArrayList<>();
    boolean subscribed = false;
    boolean forbidden = false;
    while (!(subscribed && forbidden) && seen.size() < 20) {
      JsonObject m = c.next();
      seen.add(m);
      if ("subscribed".equals(m.getString("type")) && allowed.equals(m.getString("topic"))) {
        subscribed = true;
      }
      if ("error".equals(m.getString("type"))) {
        assertThat(m.getString("code")).isEqualTo("forbidden");
        assertThat(m.getString("message")).contains(denied);
        forbidden = true;
      }
    }
    assertThat(subscribed && forbidden).as("messages %s", seen).isTrue();
    return seen;
  }
}
