package io.slipstream.cluster.log;

/**
 * The bounds of one topic's authoritative log. They travel inside every {@code Append} and its
 * {@code ApplyAt}, so the primary and the backup always evict by the same numbers, even while a
 * rolling restart changes the configuration.
 *
 * <p>Immutable. With these bounds one topic's entry holds at most {@code maxRowBytes} of rows,
 * {@code maxRingBytes} and {@code maxRingEvents} of history, and {@code dedupeWindow} ids of at
 * most {@link #MAX_PUBLISH_ID_LENGTH} characters each: with the defaults about 64 MiB + 64 MiB +
 * 53 MiB in the worst case, which is also what a migration or a replica sync copies.
 *
 * @param maxRingEvents changes the replay ring keeps ({@code replayLogSize}), at least 1
 * @param maxRingBytes weight of the changes the ring keeps ({@code replayLogBytes}), see {@link
 *     LoggedChange#weight()}
 * @param dedupeWindow publish ids remembered ({@code idempotencyWindow}), at least 1
 * @param maxRowBytes weight of the rows, see {@link TopicLog#rowWeight}; a publish that would go
 *     over it is refused as {@link AppendOutcome.Kind#FULL}
 */
public record LogLimits(int maxRingEvents, long maxRingBytes, int dedupeWindow, long maxRowBytes) {

  /** Default {@code maxRingEvents}: 100,000 changes, the node's default {@code replayLogSize}. */
  public static final int DEFAULT_MAX_RING_EVENTS = 100_000;
  /** Default {@code maxRingBytes}: 64 MiB (67,108,864 bytes), as {@code replayLogBytes}. */
  public static final long DEFAULT_MAX_RING_BYTES = 67_108_864L;
  /** Default {@code dedupeWindow}: 100,000 ids, the default {@code idempotencyWindow}. */
  public static final int DEFAULT_DEDUPE_WINDOW = 100_000;
  /** Default {@code maxRowBytes}: 64 MiB (67,108,864 bytes) of rows per topic. */
  public static final long DEFAULT_MAX_ROW_BYTES = 67_108_864L;

  /** The longest publish id ({@code Idempotency-Key}), in characters. */
  public static final int MAX_PUBLISH_ID_LENGTH = 256;

  /** What one remembered publish id weighs beyond its characters, in bytes. */
  public static final int ID_OVERHEAD_BYTES = 48;

  /** The defaults above. */
  public static final LogLimits DEFAULTS =
      new LogLimits(
          DEFAULT_MAX_RING_EVENTS, DEFAULT_MAX_RING_BYTES, DEFAULT_DEDUPE_WINDOW,
          DEFAULT_MAX_ROW_BYTES);

  public LogLimits {
    if (maxRingEvents < 1) {
      throw new IllegalArgumentException("maxRingEvents must be at least 1, was " + maxRingEvents);
    }
    if (maxRingBytes < LoggedChange.OVERHEAD_BYTES) {
      throw new IllegalArgumentException(
          "maxRingBytes must hold at least one change, was " + maxRingBytes);
    }
    if (dedupeWindow < 1) {
      throw new IllegalArgumentException("dedupeWindow must be at least 1, was " + dedupeWindow);
    }
    if (maxRowBytes < 0) {
      throw new IllegalArgumentException("maxRowBytes must not be negative, was " + maxRowBytes);
    }
  }
}
