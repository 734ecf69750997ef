package io.slipstream.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.time.Clock;
import io.slipstream.server.config.AccessConfig;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.JwtTokens;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Token refresh at the wire (docs/protocol.md §3): {@code auth} with a valid token is answered
 * {@code authed {exp}} and the new token's expiry and topics apply; a refused one gets {@code error
 * unauthorized} and the old token stays in force; a token that expires without a refresh closes the
 * connection with 4003 (after an {@code unauthorized} error), at {@code exp} + {@code jwtLeewayMs}.
 * No leeway here.
 *
 * <p>{@code exp} has whole seconds, and a loaded machine may take seconds to start a server, so the
 * server's wall clock (an injected {@link Clock}; its monotonic half is the system's) is set to put
 * a short-lived token's {@code exp} {@link #SHORT_MS} after the moment it is sent.
 */
class TokenRefreshIT {

  /** How long a short-lived token lives after its hello or auth is sent. */
  private static final long SHORT_MS = 3_000;

  private final AtomicLong wallOffset = new AtomicLong();

  private final Clock clock =
      new Clock() {
        @Override
        public long millis() {
          return System.nanoTime() / 1_000_000;
        }

        @Override
        public long wallMillis() {
          return System.currentTimeMillis() + wallOffset.get();
        }
      };

  private TestServer server;

  /** An {@code exp} {@link #SHORT_MS} from now on the server's wall clock, which is moved so. */
  private long expiringSoon() {
    long exp = System.currentTimeMillis() / 1000 + 100_000;
    wallOffset.set(exp * 1000 - SHORT_MS - System.currentTimeMillis());
    return exp;
  }

  /** An {@code exp} an hour from now on the server's wall clock. */
  private long farExp() {
    return clock.wallMillis() / 1000 + 3600;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(AccessConfig access) {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(1).access(access).build(), clock);
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
    long exp = expiringSoon();
    RecordingClient c = connect(token("dave", exp));
    JsonObject e = c.assertError("unauthorized");
    assertThat(e.getString("message")).contains("expired");
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);
    assertThat(clock.wallMillis()).as("not before exp").isGreaterThanOrEqualTo(exp * 1000);
  }

  @Test
  void aRefreshedTokenOutlivesTheOldOnesExpiry() throws Exception {
    startWithKeys();
    long oldExp = expiringSoon();
    RecordingClient c = connect(token("erin", oldExp));
    long newExp = farExp();
    c.send(
        new JsonObject().put("type", "auth").put("id", "r1").put("token", token("erin", newExp)));
    JsonObject authed = c.expect("authed");
    assertThat(authed.getLong("exp")).isEqualTo(newExp);
    assertThat(authed.getString("id")).isEqualTo("r1");
    // Past the old token's expiry, the connection is still open and answers.
    while (clock.wallMillis() < oldExp * 1000 + 500) {
      assertThat(c.poll(100)).as("nothing arrives while the new token is in force").isNull();
    }
    c.send(new JsonObject().put("type", "ping"));
    c.expect("pong");
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  void aRefusedRefreshLeavesTheOldTokenInForceUntilItExpires() {
    startWithKeys();
    RecordingClient c = connect(token("frank", expiringSoon()));
    c.send(
        new JsonObject()
            .put("type", "auth")
            .put(
                "token",
                JwtTokens.rs256(
                    JwtTokens.OTHER_RSA,
                    null,
                    new JsonObject().put("sub", "frank").put("exp", farExp()))));
    assertThat(c.assertError("unauthorized").getString("message"))
        .contains("stays until it expires");
    // A token of another client is refused too: a connection is one client.
    c.send(new JsonObject().put("type", "auth").put("token", token("mallory", farExp())));
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
    RecordingClient c = connect(token("gina", farExp(), "a"));
    c.send(new JsonObject().put("type", "subscribe").put("topic", "b"));
    c.assertError("forbidden");
    long exp = expiringSoon();
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
