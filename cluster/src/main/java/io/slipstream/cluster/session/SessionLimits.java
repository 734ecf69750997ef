package io.slipstream.cluster.session;

/**
 * The bounds of the cluster's sessions: the server's {@code sessionTtlMs}, {@code maxSessions} and
 * {@code maxSubscriptions} (docs/protocol.md §7), the same on every member.
 *
 * <p>Immutable; the compact constructor validates each value with a sentence naming its key.
 *
 * @param ttlMs how long a suspended session is kept, ms ({@code sessionTtlMs})
 * @param maxSessions about how many sessions the cluster keeps, all members together ({@code
 *     maxSessions}); see {@link SessionMap#config} for how exact
 * @param maxSubscriptions most positions one session keeps ({@code maxSubscriptions})
 */
public record SessionLimits(long ttlMs, int maxSessions, int maxSubscriptions) {

  /** Default {@code ttlMs}: the server's default {@code sessionTtlMs}, 60,000 ms. */
  public static final long DEFAULT_TTL_MS = 60_000;
  /** Default {@code maxSessions}: the server's default, 100,000. */
  public static final int DEFAULT_MAX_SESSIONS = 100_000;
  /** Default {@code maxSubscriptions}: the server's default, 256. */
  public static final int DEFAULT_MAX_SUBSCRIPTIONS = 256;

  /** The defaults. */
  public static final SessionLimits DEFAULTS =
      new SessionLimits(DEFAULT_TTL_MS, DEFAULT_MAX_SESSIONS, DEFAULT_MAX_SUBSCRIPTIONS);

  public SessionLimits {
    if (ttlMs < 1) {
      throw new IllegalArgumentException("sessionTtlMs must be positive, was " + ttlMs);
    }
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1, was " + maxSessions);
    }
    if (maxSubscriptions < 1) {
      throw new IllegalArgumentException(
          "maxSubscriptions must be at least 1, was " + maxSubscriptions);
    }
  }
}
