package io.slipstream.server.connection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies HS256 JSON Web Tokens for {@code hello.token} when {@code jwtSecret} is set.
 *
 * <p>Stateless and thread-safe. Checks the header's {@code alg} is HS256, the signature (in
 * constant time) and, when present, {@code exp} (seconds since the Unix epoch).
 */
final class Jwt {

  private Jwt() {}

  static boolean isValid(String token, String secret, long nowMs) {
    if (token == null || token.length() > 8192) {
      return false;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return false;
    }
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      io.vertx.core.json.JsonObject header =
          new io.vertx.core.json.JsonObject(new String(b64.decode(parts[0]), StandardCharsets.UTF_8));
      if (!"HS256".equals(header.getValue("alg"))) {
        return false;
      }
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] expected =
          mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!MessageDigest.isEqual(expected, b64.decode(parts[2]))) {
        return false;
      }
      io.vertx.core.json.JsonObject claims =
          new io.vertx.core.json.JsonObject(new String(b64.decode(parts[1]), StandardCharsets.UTF_8));
      Object exp = claims.getValue("exp");
      if (exp != null) {
        return exp instanceof Number && ((Number) exp).longValue() * 1000 > nowMs;
      }
      return true;
    } catch (RuntimeException | java.security.GeneralSecurityException e) {
      return false;
    }
  }
}
