package io.slipstream.server.connection;

import io.slipstream.server.protocol.JwtJson;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the HMAC JSON Web Tokens of {@code hello.token} when {@code jwtSecret} is set
 * (docs/protocol.md §3): HS256, HS384 or HS512, as the header's {@code alg} says.
 *
 * <p>Stateless and thread-safe. Checks the header's {@code alg} is one of the three (never {@code
 * none}), the signature in constant time, and {@code exp} (seconds since the Unix epoch, compared
 * with wall time): it must not have passed, and it must be there unless {@code
 * jwtRequireExp=false}, since a token without it would be valid forever.
 */
final class Jwt {

  /** Longest token read; a longer one is refused unparsed. */
  static final int MAX_TOKEN_CHARS = 8192;

  private Jwt() {}

  /**
   * Whether {@code token} is signed with {@code secret} and in force at {@code nowWallMs}.
   *
   * @param requireExp whether a token without {@code exp} is refused
   */
  static boolean isValid(String token, String secret, long nowWallMs, boolean requireExp) {
    if (token == null || token.length() > MAX_TOKEN_CHARS) {
      return false;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return false;
    }
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      String mac =
          macAlgorithm(JwtJson.alg(new String(b64.decode(parts[0]), StandardCharsets.UTF_8)));
      if (mac == null) {
        return false;
      }
      Mac hmac = Mac.getInstance(mac);
      hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), mac));
      byte[] expected =
          hmac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!MessageDigest.isEqual(expected, b64.decode(parts[2]))) {
        return false;
      }
      Object exp = JwtJson.exp(new String(b64.decode(parts[1]), StandardCharsets.UTF_8));
      if (exp == null) {
        return !requireExp;
      }
      return exp instanceof Number && ((Number) exp).longValue() * 1000 > nowWallMs;
    } catch (RuntimeException | GeneralSecurityException e) {
      return false;
    }
  }

  /** The JCA name of the HMAC a header's {@code alg} names, or null for any other algorithm. */
  private static String macAlgorithm(Object alg) {
    if ("HS256".equals(alg)) {
      return "HmacSHA256";
    }
    if ("HS384".equals(alg)) {
      return "HmacSHA384";
    }
    if ("HS512".equals(alg)) {
      return "HmacSHA512";
    }
    return null;
  }
}
