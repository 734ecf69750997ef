package io.slipstream.server.connection;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session ids and resume tokens: 128 random bits from {@link SecureRandom}, base64url.
 *
 * <p>Thread-safe.
 */
final class Tokens {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {}

  /** A new session id. */
  static String newId() {
    return "s-" + random(12);
  }

  /** A new unguessable resume token. */
  static String newToken() {
    return random(16);
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }
}
