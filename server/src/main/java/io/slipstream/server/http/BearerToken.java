package io.slipstream.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A token that requests must present as {@code Authorization: Bearer <token>} (docs/protocol.md
 * §10), checked in constant time.
 *
 * <p>Immutable and thread-safe.
 */
final class BearerToken {

  private final byte[] expected;

  /** A token whose secret is {@code token}, not empty. */
  BearerToken(String token) {
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Whether {@code header} is exactly {@code Bearer <token>}. The time taken depends only on the
   * header's length, never on how much of the secret it got right: {@link MessageDigest#isEqual}
   * walks the whole first argument, which is therefore the presented value.
   */
  boolean admits(String header) {
    return header != null
        && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expected);
  }
}
