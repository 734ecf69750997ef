package io.slipstream.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.time.Clock;
import io.slipstream.server.config.AccessConfig;
import io.slipstream.server.config.JwtKeys;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.protocol.JwtJson;
import io.slipstream.server.testing.JwtTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TokenVerifier} on a fake wall clock: the exact edges of {@code exp} and {@code nbf} with
 * {@code jwtLeewayMs}, the claims a valid token yields (the {@code qos} claim among them, for the
 * QoS classes), and that it answers at once, on the calling thread.
 */
class TokenVerifierTest {

  private static final long EXP = 2_000_000_000L;
  private static Vertx vertx;
  private final AtomicLong wall = new AtomicLong();
  private final Clock clock =
      new Clock() {
        @Override
        public long millis() {
          return 0;
        }

        @Override
        public long wallMillis() {
          return wall.get();
        }
      };

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  private TokenVerifier verifier(long leewayMs, boolean requireExp) {
    SlipstreamConfig config =
        SlipstreamConfig.defaults().toBuilder()
            .jwtRequireExp(requireExp)
            .access(
                AccessConfig.DEFAULTS.withJwtPublicKey(JwtTokens.EC_PEM).withJwtLeewayMs(leewayMs))
            .build();
    return TokenVerifier.create(vertx, JwtKeys.load(config), clock);
  }

  private static String token(JsonObject claims) {
    return JwtTokens.es256(JwtTokens.EC, null, claims);
  }

  private static Future<Claims> answeredAtOnce(Future<Claims> f) {
    assertThat(f.isComplete()).as("answered on the calling thread, without waiting").isTrue();
    return f;
  }

  @Test
  void expIsRefusedFromExpPlusLeewayOn() {
    TokenVerifier v = verifier(1_500, true);
    String t = token(new JsonObject().put("sub", "s").put("exp", EXP));
    wall.set(EXP * 1000 + 1_499);
    assertThat(answeredAtOnce(v.verify(t)).succeeded()).isTrue();
    wall.set(EXP * 1000 + 1_500);
    assertThat(answeredAtOnce(v.verify(t)).cause().getMessage()).contains("expired");
    assertThat(v.expiresAtMs(EXP)).isEqualTo(EXP * 1000 + 1_500);
  }

  @Test
  void nbfIsRefusedBeforeNbfMinusLeeway() {
    TokenVerifier v = verifier(1_000, true);
    String t = token(new JsonObject().put("exp", EXP + 100).put("nbf", EXP));
    wall.set(EXP * 1000 - 1_001);
    assertThat(v.verify(t).cause().getMessage()).contains("not valid yet");
    wall.set(EXP * 1000 - 1_000);
    assertThat(v.verify(t).succeeded()).isTrue();
  }

  @Test
  void aTokenWithoutExpNeverExpiresWhenAllowed() {
    wall.set(EXP * 1000);
    String t = token(new JsonObject().put("sub", "s"));
    assertThat(verifier(0, true).verify(t).cause().getMessage()).contains("no exp");
    Claims c = verifier(0, false).verify(t).result();
    assertThat(c.expires()).isFalse();
    assertThat(c.expiresAtSeconds()).isEqualTo(Claims.NO_EXPIRY);
  }

  @Test
  void theClaimsAreThoseOfTheToken() {
    wall.set(EXP * 1000 - 60_000);
    Claims c =
        verifier(0, true)
            .verify(
                token(
                    new JsonObject()
                        .put("sub", "trader-7")
                        .put("qos", "realtime")
                        .put("exp", EXP)
                        .put("topics", new JsonArray(List.of("fx.*", "news")))))
            .result();
    assertThat(c.subject()).isEqualTo("trader-7");
    assertThat(c.qos()).isEqualTo("realtime");
    assertThat(c.expiresAtSeconds()).isEqualTo(EXP);
    assertThat(c.mayRead("fx.eurusd")).isTrue();
    assertThat(c.mayRead("news")).isTrue();
    assertThat(c.mayRead("payroll")).isFalse();
    Claims open = verifier(0, true).verify(token(new JsonObject().put("exp", EXP))).result();
    assertThat(open.subject()).isNull();
    assertThat(open.qos()).isNull();
    assertThat(open.mayRead("anything")).as("no topics claim: every topic").isTrue();
    Claims none =
        verifier(0, true)
            .verify(token(new JsonObject().put("exp", EXP).put("topics", new JsonArray())))
            .result();
    assertThat(none.mayRead("anything")).as("an empty topics claim: none").isFalse();
  }

  @Test
  void moreTopicPatternsThanTheBoundRefuseTheToken() {
    wall.set(EXP * 1000 - 60_000);
    JsonArray many = new JsonArray();
    for (int i = 0; i <= JwtJson.MAX_TOPIC_PATTERNS; i++) {
      many.add("t" + i);
    }
    assertThat(
            verifier(0, true)
                .verify(token(new JsonObject().put("exp", EXP).put("topics", many)))
                .cause()
                .getMessage())
        .contains("at most " + JwtJson.MAX_TOPIC_PATTERNS);
    many.remove(0);
    assertThat(
            verifier(0, true)
                .verify(token(new JsonObject().put("exp", EXP).put("topics", many)))
                .succeeded())
        .isTrue();
  }

  @Test
  void withoutAKeyThereIsNoVerifier() {
    assertThat(
            TokenVerifier.create(vertx, JwtKeys.load(SlipstreamConfig.defaults()), Clock.system()))
        .isNull();
  }
}
