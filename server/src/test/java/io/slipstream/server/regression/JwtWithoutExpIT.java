package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: a JWT without {@code exp} was accepted forever, and only HS256 was accepted. Contract §10:
 * with {@code jwtSecret}, {@code hello.token} must be a valid HS256/384/512 JWT, and {@code exp} is
 * required unless {@code jwtRequireExp=false}.
 *
 * <p>Tested at the wire, with tokens a client would send, so the test holds whatever verifies them
 * inside the server.
 */
class JwtWithoutExpIT {

  private static final String SECRET = "a-secret-of-some-length";
  private static final long IN_AN_HOUR = System.currentTimeMillis() / 1000 + 3600;

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(boolean requireExp) {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .jwtSecret(SECRET)
                .jwtRequireExp(requireExp)
                .build());
  }

  @Test
  void aTokenWithoutExpIsUnauthorizedByDefault() throws Exception {
    start(true);
    RecordingClient c = server.client();
    c.send(hello(jwt("HS256", "HmacSHA256", SECRET, "{\"sub\":\"u\"}")));
    assertThat(c.assertError("unauthorized").getString("message")).contains("exp");
    assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);
  }

  @Test
  void withJwtRequireExpFalseATokenWithoutExpIsWelcomed() throws Exception {
    start(false);
    RecordingClient c = server.client();
    c.send(hello(jwt("HS256", "HmacSHA256", SECRET, "{\"sub\":\"u\"}")));
    assertThat(c.expect("welcome").getBoolean("resumed")).isFalse();
    // An exp that has passed still counts.
    RecordingClient expired = server.client();
    expired.send(hello(jwt("HS256", "HmacSHA256", SECRET, "{\"sub\":\"u\",\"exp\":1000}")));
    expired.assertError("unauthorized");
    assertThat(expired.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);
  }

  @Test
  void hs256Hs384AndHs512AreAcceptedWithTheSecret() throws Exception {
    start(true);
    String claims = "{\"sub\":\"u\",\"exp\":" + IN_AN_HOUR + "}";
    for (String[] alg :
        new String[][] {
          {"HS256", "HmacSHA256"}, {"HS384", "HmacSHA384"}, {"HS512", "HmacSHA512"}
        }) {
      RecordingClient c = server.client();
      c.send(hello(jwt(alg[0], alg[1], SECRET, claims)));
      assertThat(c.expect("welcome").getString("session")).as(alg[0]).isNotBlank();
      c.close();
    }
  }

  @Test
  void aHeaderThatLiesAboutItsAlgorithmOrSaysNoneIsUnauthorized() throws Exception {
    start(true);
    String claims = "{\"sub\":\"u\",\"exp\":" + IN_AN_HOUR + "}";
    // Signed with HS512 but labelled HS256; and the unsigned "none".
    String lying = jwt("HS256", "HmacSHA512", SECRET, claims);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String none =
        b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
            + "."
            + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8))
            + ".";
    for (String token : new String[] {lying, none}) {
      RecordingClient c = server.client();
      c.send(hello(token));
      c.assertError("unauthorized");
      assertThat(c.awaitClose(Duration.ofSeconds(10))).isEqualTo(4003);
    }
  }

  private static JsonObject hello(String token) {
    return new JsonObject().put("type", "hello").put("token", token);
  }

  private static String jwt(String alg, String macAlgorithm, String secret, String claims)
      throws GeneralSecurityException {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        b64.encodeToString(
            ("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8));
    String body = b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance(macAlgorithm);
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), macAlgorithm));
    String sig =
        b64.encodeToString(mac.doFinal((header + "." + body).getBytes(StandardCharsets.US_ASCII)));
    return header + "." + body + "." + sig;
  }
}
