package io.slipstream.server.config;

/**
 * When a connection counts as {@code lagging} (docs/protocol.md §10, {@code quality} in {@code GET
 * /api/connections}), and how often each event loop looks: the {@code quality.*} settings.
 *
 * <p>Immutable and thread-safe. The compact constructor rejects a bad value with a sentence that
 * starts with the key.
 *
 * @param tickMs how often each event loop evaluates the quality of its connections, ms ({@code
 *     quality.tickMs}); transitions are published at most this late
 * @param growthMs how long a connection's pending events must keep growing before it is {@code
 *     lagging}, ms ({@code quality.growthMs})
 * @param ackLagMs the ack-lag p99 above which a connection is {@code lagging}, ms ({@code
 *     quality.ackLagMs})
 * @param stallMs how long the socket may accept no bytes while frames wait before the connection is
 *     {@code lagging}, ms ({@code quality.stallMs})
 */
public record QualityThresholds(long tickMs, long growthMs, long ackLagMs, long stallMs) {

  /** Default {@code quality.tickMs}: each event loop looks at its connections once a second. */
  public static final long DEFAULT_TICK_MS = 1_000;

  /** Default {@code quality.growthMs}: 2,000 ms of growing pending events is {@code lagging}. */
  public static final long DEFAULT_GROWTH_MS = 2_000;

  /** Default {@code quality.ackLagMs}: an ack-lag p99 over 2,000 ms is {@code lagging}. */
  public static final long DEFAULT_ACK_LAG_MS = 2_000;

  /**
   * Default {@code quality.stallMs}: a socket that took nothing for 2,000 ms is {@code lagging}.
   */
  public static final long DEFAULT_STALL_MS = 2_000;

  /** The defaults. */
  public static final QualityThresholds DEFAULTS =
      new QualityThresholds(
          DEFAULT_TICK_MS, DEFAULT_GROWTH_MS, DEFAULT_ACK_LAG_MS, DEFAULT_STALL_MS);

  public QualityThresholds {
    require(tickMs >= 10 && tickMs <= 60_000, "quality.tickMs must be 10..60000, was " + tickMs);
    require(growthMs >= 0, "quality.growthMs must not be negative, was " + growthMs);
    require(ackLagMs >= 1, "quality.ackLagMs must be at least 1, was " + ackLagMs);
    require(stallMs >= 1, "quality.stallMs must be at least 1, was " + stallMs);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
