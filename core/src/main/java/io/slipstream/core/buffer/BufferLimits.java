package io.slipstream.core.buffer;

/**
 * The bounds and drop policy of one connection's outbound buffer (docs/protocol.md §6, settings
 * {@code buffer.*}).
 *
 * <p>Immutable and thread-safe.
 *
 * <p>Both bounds count the queued {@code dropped} markers as well as the live events, a marker
 * weighing {@link ClientBuffer#MARKER_BYTES}. Under a drop policy a {@code maxBytes} below that
 * leaves no room to name a drop, so every event that does not fit is refused (4001).
 *
 * @param maxEvents most entries, live events and markers, the buffer holds ({@code buffer.max})
 * @param maxBytes most bytes the buffer holds, events' frames and markers ({@code buffer.maxBytes})
 * @param warn fill (0..1) whose upward crossing sends one {@code warning} ({@code buffer.warn})
 * @param disconnect fill (0..1) that, sustained for {@code sustainMs}, closes 4001 ({@code
 *     buffer.disconnect})
 * @param policy what happens to a live event when the buffer is full ({@code buffer.policy})
 * @param maxAgeMs under {@code by-age}, how long an event may wait before it is dropped at any
 *     fill, in ms ({@code buffer.maxAgeMs}); unused by the other policies
 * @param priorities under {@code priority}, the topics' priorities ({@code buffer.priorities}, from
 *     the configuration file only); unused by the other policies
 */
public record BufferLimits(
    int maxEvents,
    long maxBytes,
    double warn,
    double disconnect,
    DropPolicy policy,
    long maxAgeMs,
    TopicPriorities priorities) {

  /** Default {@code buffer.max}: 16,600 events. */
  public static final int DEFAULT_MAX_EVENTS = 16_600;

  /** Default {@code buffer.maxBytes}: 16 MiB. */
  public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;

  /** Default {@code buffer.warn}: 80% fill. */
  public static final double DEFAULT_WARN = 0.8;

  /** Default {@code buffer.disconnect}: 95% fill. */
  public static final double DEFAULT_DISCONNECT = 0.95;

  /** Default {@code buffer.policy}. */
  public static final DropPolicy DEFAULT_POLICY = DropPolicy.DROP_OLDEST;

  /** Default {@code buffer.maxAgeMs}: 5,000 ms, the default {@code sustainMs}. */
  public static final long DEFAULT_MAX_AGE_MS = 5_000;

  /** The defaults of docs/protocol.md. */
  public static final BufferLimits DEFAULTS =
      new BufferLimits(
          DEFAULT_MAX_EVENTS, DEFAULT_MAX_BYTES, DEFAULT_WARN, DEFAULT_DISCONNECT, DEFAULT_POLICY);

  /** Bounds with the default {@code buffer.maxAgeMs} and no topic priorities. */
  public BufferLimits(
      int maxEvents, long maxBytes, double warn, double disconnect, DropPolicy policy) {
    this(maxEvents, maxBytes, warn, disconnect, policy, DEFAULT_MAX_AGE_MS, TopicPriorities.NONE);
  }

  public BufferLimits {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("buffer.max must be at least 1, was " + maxEvents);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("buffer.maxBytes must be at least 1, was " + maxBytes);
    }
    if (!(warn > 0 && warn < disconnect)) {
      throw new IllegalArgumentException(
          "buffer.warn must be above 0 and below buffer.disconnect ("
              + disconnect
              + "), was "
              + warn);
    }
    if (!(disconnect <= 1.0)) {
      throw new IllegalArgumentException(
          "buffer.disconnect must be at most 1.0, was " + disconnect);
    }
    if (policy == null) {
      throw new IllegalArgumentException("buffer.policy is required");
    }
    if (maxAgeMs < 1) {
      throw new IllegalArgumentException("buffer.maxAgeMs must be at least 1, was " + maxAgeMs);
    }
    if (priorities == null) {
      throw new IllegalArgumentException("buffer.priorities is required (empty for none)");
    }
  }
}
