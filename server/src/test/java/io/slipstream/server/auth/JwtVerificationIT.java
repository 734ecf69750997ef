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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hello.token} verified through vertx-auth-jwt (docs/protocol.md §3): RS256 and ES256 with
 * {@code jwtPublicKey} (inline PEM or a file), a JWKS file with a key per {@code kid}, {@code
 * jwtIssuer}, {@code jwtAudience}, {@code exp}/{@code nbf} with {@code jwtLeewayMs}; {@code none}
 * and an algorithm other than the key's are refused. Tokens are made with the JDK ({@link
 * JwtTokens}) and presented at the wire; each refusal is {@code error unauthorized}, then 4003.
 */
class JwtVerificationIT {

  @TempDir Path dir;

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(AccessConfig access) {
    start(access, null);
  }

  private void start(AccessConfig access, String secret) {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(1)
                .jwtSecret(secret)
                .access(access)
                .build());
  }

  private static JsonObject claims(long exp) {
    return new JsonObject().put("sub", "alice").put("exp", exp);
  }

  private JsonObject welcomed(String token) {
    RecordingClient c = server.client();
    c.send(new JsonObject().put("type", "hello").put("token", token));
    JsonObject w = c.expect("welcome");
    c.close();
    return w;
  }

  private String refused(String token) {
    RecordingClient c = server.client();
    c.send(new JsonObject().put("type", "hello").put("token", token));
    String message = c.assertError("unauthorized").getString("message");
    assertThat(c.awaitClose(Duration.ofSeconds(10))).as(message).isEqualTo(4003);
    return message;
  }

  @Test
  void rs256WithAnInlinePemIsAcceptedAndAnotherKeysSignatureIsNot() {
    start(AccessConfig.DEFAULTS.withJwtPublicKey(JwtTokens.RSA_PEM));
    assertThat(
            welcomed(JwtTokens.rs256(JwtTokens.RSA, null, claims(in(3600)))).getString("session"))
        .isNotBlank();
    assertThat(refused(JwtTokens.rs256(JwtTokens.OTHER_RSA, null, claims(in(3600)))))
        .contains("not valid");
  }

  @Test
  void es256WithAPemFileIsAccepted() throws Exception {
    Path pem = Files.writeString(dir.resolve("ec.pem"), JwtTokens.EC_PEM);
    start(AccessConfig.DEFAULTS.withJwtPublicKey(pem.toString()));
    assertThat(welcomed(JwtTokens.es256(JwtTokens.EC, null, claims(in(3600)))).getString("session"))
        .isNotBlank();
  }

  @Test
  void aJwksFileServesEachKidWithItsOwnKey() {
    start(AccessConfig.DEFAULTS.withJwtJwksFile(JwtTokens.JWKS_FILE));
    welcomed(JwtTokens.rs256(JwtTokens.RSA, "rsa-1", claims(in(3600))));
    welcomed(JwtTokens.es256(JwtTokens.EC, "ec-1", claims(in(3600))));
    // Signed by the right key, but naming a kid the file does not have.
    refused(JwtTokens.rs256(JwtTokens.RSA, "rsa-2", claims(in(3600))));
  }

  @Test
  void noneAndAnAlgorithmOtherThanTheKeysAreRefused() {
    start(AccessConfig.DEFAULTS.withJwtPublicKey(JwtTokens.RSA_PEM));
    assertThat(refused(JwtTokens.none(claims(in(3600))))).contains("signed JWT");
    // The classic confusion: HS256 "signed" with the RSA public key as if it were a secret.
    String confused = JwtTokens.hmac("HS256", JwtTokens.RSA_PEM, claims(in(3600)));
    assertThat(refused(confused)).contains("alg must be one the server has a key for: RS256");
    // RS256 signature relabelled as ES256: no ES256 key.
    String relabelled =
        JwtTokens.relabel(JwtTokens.rs256(JwtTokens.RSA, null, claims(in(3600))), "ES256");
    assertThat(refused(relabelled)).contains("RS256");
  }

  @Test
  void hmacAndRsaKeysCanBeUsedTogether() {
    start(AccessConfig.DEFAULTS.withJwtPublicKey(JwtTokens.RSA_PEM), "a-shared-secret");
    welcomed(JwtTokens.hmac("HS384", "a-shared-secret", claims(in(3600))));
    welcomed(JwtTokens.rs256(JwtTokens.RSA, null, claims(in(3600))));
    refused(JwtTokens.hmac("HS256", "another-secret", claims(in(3600))));
  }

  @Test
  void issuerAndAudienceAreChecked() {
    start(
        AccessConfig.DEFAULTS
            .withJwtPublicKey(JwtTokens.RSA_PEM)
            .withJwtIssuerAndAudience("https://id.example", "slipstream"));
    JsonObject good =
        claims(in(3600))
            .put("iss", "https://id.example")
            .put("aud", new JsonArray().add("x").add("slipstream"));
    welcomed(JwtTokens.rs256(JwtTokens.RSA, null, good));
    welcomed(JwtTokens.rs256(JwtTokens.RSA, null, good.copy().put("aud", "slipstream")));
    assertThat(
            refused(
                JwtTokens.rs256(
                    JwtTokens.RSA, null, good.copy().put("iss", "https://evil.example"))))
        .contains("issuer");
    assertThat(refused(JwtTokens.rs256(JwtTokens.RSA, null, good.copy().put("aud", "other"))))
        .contains("audience");
    JsonObject noIssuer = claims(in(3600)).put("aud", "slipstream");
    refused(JwtTokens.rs256(JwtTokens.RSA, null, noIssuer));
  }

  @Test
  void expAndNbfAllowTheLeewayAndNoMore() {
    start(AccessConfig.DEFAULTS.withJwtPublicKey(JwtTokens.RSA_PEM).withJwtLeewayMs(30_000));
    // Expired 10 s ago, within the 30 s of leeway: accepted; 60 s ago: refused.
    welcomed(JwtTokens.rs256(JwtTokens.RSA, null, claims(in(-10))));
    assertThat(refused(JwtTokens.rs256(JwtTokens.RSA, null, claims(in(-60))))).contains("expired");
    // Valid from 10 s from now: within the leeway; from 60 s: not yet.
    welcomed(JwtTokens.rs256(JwtTokens.RSA, null, claims(in(3600)).put("nbf", in(10))));
    assertThat(refused(JwtTokens.rs256(JwtTokens.RSA, null, claims(in(3600)).put("nbf", in(60)))))
        .contains("not valid yet");
  }

  @Test
  void malformedClaimsAndOverlongTokensAreRefused() {
    start(AccessConfig.DEFAULTS.withJwtPublicKey(JwtTokens.RSA_PEM));
    assertThat(refused(JwtTokens.rs256(JwtTokens.RSA, null, claims(in(3600)).put("sub", 7))))
        .contains("sub must be a string");
    assertThat(
            refused(
                JwtTokens.rs256(
                    JwtTokens.RSA,
                    null,
                    claims(in(3600)).put("topics", new JsonArray().add("a b")))))
        .contains("topics");
    assertThat(refused(JwtTokens.rs256(JwtTokens.RSA, null, claims(in(3600)).put("exp", "soon"))))
        .contains("exp");
    String huge =
        JwtTokens.rs256(JwtTokens.RSA, null, claims(in(3600)).put("pad", "x".repeat(9000)));
    RecordingClient c = server.client();
    c.send(new JsonObject().put("type", "hello").put("token", huge));
    assertThat(c.assertError("bad-message").getString("message")).contains("8192");
    c.close();
    String notJson =
        Base64.getUrlEncoder().encodeToString("{".getBytes(StandardCharsets.UTF_8)) + ".e30.c2ln";
    assertThat(refused(notJson)).contains("header");
  }
}
