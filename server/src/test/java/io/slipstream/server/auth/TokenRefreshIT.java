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
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Token refresh at the wire (docs/protocol.md §3): {@code auth} with a valid token is answered
 * {@code authed {exp}} and the new token's expiry and topics apply; a refused one gets {@code error
 * unauthorized} and the old token stays in force; a token that expires without a refresh closes the
 * connection with 4003 (after an {@code unauthorized} error), at {@code exp} + {@code jwtLeewayMs}.
 * Tokens here live one or two seconds ({@code exp} has whole seconds), with no leeway.
 */
class TokenRefreshIT {

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(AccessConfig access) {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(1).access(access).build());
  }

  private void startWithKeys() {
    start(AccessConfig.DEFAULTS.withJwtPublicKey(JwtTokens.RSA_PEM).withJwtLeewayMs(0));
  }

  private static String token(String sub, long exp, String... topics) {
    JsonObject claims = new JsonObject().put("sub", sub).put("exp", exp);
    if (topics.length > 0) {
      claims.put("topics", new JsonArray(java.util.List.of((Object[]) topics)));
    }
    return JwtTokens.rs256(JwtTokens.RSA, null, claims);
  }

  private RecordingClient connect(String token) {
    RecordingClient c = server.client();
    c.send(new JsonObject().put("type", "hello").put("token", token));
    c.expect("welcome");
    return c;
  }

  @Test
  void aTokenThatExpiresWithoutRefreshClosesWith4003() {
    startWithKeys();
    long exp = in(2);
    RecordingClient c = connect(token("dave", exp));
    JsonObject e = c.assertError("unauthorized");
    assertThat(e.getString("message")).contains("expired");
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);
    assertThat(System.currentTimeMillis()).as("not before exp").isGreaterThanOrEqualTo(exp * 1000);
  }

  @Test
  void aRefreshedTokenOutlivesTheOldOnesExpiry() throws Exception {
    startWithKeys();
    long oldExp = in(2);
    RecordingClient c = connect(token("erin", oldExp));
    long newExp = in(3600);
    c.send(
        new JsonObject().put("type", "auth").put("id", "r1").put("token", token("erin", newExp)));
    JsonObject authed = c.expect("authed");
    assertThat(authed.getLong("exp")).isEqualTo(newExp);
    assertThat(authed.getString("id")).isEqualTo("r1");
    // Past the old token's expiry, the connection is still open and answers.
    while (System.currentTimeMillis() < oldExp * 1000 + 500) {
      assertThat(c.poll(100)).as("nothing arrives while the new token is in force").isNull();
    }
    c.send(new JsonObject().put("type", "ping"));
    c.expect("pong");
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  void aRefusedRefreshLeavesTheOldTokenInForceUntilItExpires() {
    startWithKeys();
    RecordingClient c = connect(token("frank", in(3)));
    c.send(
        new JsonObject()
            .put("type", "auth")
            .put(
                "token",
                JwtTokens.rs256(
                    JwtTokens.OTHER_RSA,
                    null,
                    new JsonObject().put("sub", "frank").put("exp", in(3600)))));
    assertThat(c.assertError("unauthorized").getString("message"))
        .contains("stays until it expires");
    // A token of another client is refused too: a connection is one client.
    c.send(new JsonObject().put("type", "auth").put("token", token("mallory", in(3600))));
    assertThat(c.assertError("unauthorized").getString("message")).contains("sub");
    // The connection lives on until the old token's expiry, then 4003.
    c.send(new JsonObject().put("type", "ping"));
    c.expect("pong");
    assertThat(c.assertError("unauthorized").getString("message")).contains("expired");
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);
  }

  @Test
  void aRefreshCarriesNewTopicsAndASecondExpiryClosesAgain() {
    startWithKeys();
    RecordingClient c = connect(token("gina", in(3600), "a"));
    c.send(new JsonObject().put("type", "subscribe").put("topic", "b"));
    c.assertError("forbidden");
    long exp = in(3);
    c.send(new JsonObject().put("type", "auth").put("token", token("gina", exp, "a", "b")));
    assertThat(c.expect("authed").getLong("exp")).isEqualTo(exp);
    c.subscribe("b");
    c.expect("snapshot");
    c.expect("snapshot");
    // The far expiry of the first token no longer counts: the second one's does.
    c.assertError("unauthorized");
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);
  }

  @Test
  void authOnAServerThatChecksNoTokensIsUnauthorizedAndHarmless() {
    start(AccessConfig.DEFAULTS);
    RecordingClient c = server.client();
    c.hello();
    c.send(new JsonObject().put("type", "auth").put("token", "x.y.z"));
    assertThat(c.assertError("unauthorized").getString("message")).contains("checks no tokens");
    c.send(new JsonObject().put("type", "auth"));
    c.assertError("bad-message");
    c.send(new JsonObject().put("type", "ping"));
    c.expect("pong");
  }
}
