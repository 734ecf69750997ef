package io.slipstream.server.auth;

/**
 * What a verified token grants a connection (docs/protocol.md §3, contract §10): who the client is
 * ({@code sub}), which topics it may subscribe to ({@code topics}), the QoS class it asks for
 * ({@code qos}) and until when ({@code exp}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param subject the {@code sub} claim: the client id, which overrides {@code hello.clientId}; null
 *     when absent
 * @param topics the patterns of the {@code topics} claim; {@link Patterns#ANY} when the token has
 *     no such claim (an empty array allows no topic)
 * @param qos the {@code qos} claim as given (a QoS class name), or null; which classes exist is not
 *     checked here
 * @param expiresAtSeconds the {@code exp} claim, seconds since the Unix epoch, or {@link
 *     #NO_EXPIRY}
 */
public record Claims(String subject, Patterns topics, String qos, long expiresAtSeconds) {

  /** {@code expiresAtSeconds} of a token without {@code exp} (allowed with jwtRequireExp=false). */
  public static final long NO_EXPIRY = Long.MAX_VALUE;

  /** What a connection holds when the server checks no tokens: anything, forever. */
  public static final Claims UNCHECKED = new Claims(null, Patterns.ANY, null, NO_EXPIRY);

  public Claims {
    if (topics == null) {
      throw new IllegalArgumentException("topics must not be null; Patterns.ANY allows all");
    }
  }

  /** Whether the token allows subscribing to {@code topic}. */
  public boolean mayRead(String topic) {
    return topics.matches(topic);
  }

  /** Whether the token has an {@code exp}. */
  public boolean expires() {
    return expiresAtSeconds != NO_EXPIRY;
  }
}
