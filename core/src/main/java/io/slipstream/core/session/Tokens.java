package io.slipstream.core.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session ids and resume tokens, as every session store makes them: ids {@code s-<random>}, tokens
 * {@code <session>.<secret>} (so one lookup by id can check and rotate a token), and the only form
 * a store keeps of a token, its SHA-256.
 *
 * <p>Stateless and thread-safe.
 */
public final class Tokens {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {}

  /** A new session id: {@code s-} and 96 random bits. */
  public static String newSessionId() {
    return "s-" + random(12);
  }

  /** A new single-use resume token of session {@code id}: 128 random bits after the id. */
  public static String newToken(String id) {
    return id + "." + random(16);
  }

  /** What a store keeps of {@code token}: its SHA-256, URL-safe Base64. */
  public static String hash(String token) {
    try {
      return B64.encodeToString(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }
}
