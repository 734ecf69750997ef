package io.slipstream.cluster.feed;

/**
 * The bounds and timings of one topic's {@link TopicReorder}.
 *
 * <p>Immutable.
 *
 * @param maxBufferedChanges changes held out of order at most; a batch that would go over it is
 *     dropped and read back by a fill instead
 * @param gapWaitMs how long a batch waits behind a gap before the gap is filled from the
 *     authority: batches from several publishing nodes arrive out of order, and most gaps close by
 *     themselves within a few ms
 * @param fillTimeoutMs a fill without an answer for this long is given up and issued again
 */
public record ReorderLimits(int maxBufferedChanges, long gapWaitMs, long fillTimeoutMs) {

  /** Default {@code maxBufferedChanges}: 10,000 changes per topic. */
  public static final int DEFAULT_MAX_BUFFERED_CHANGES = 10_000;
  /** Default {@code gapWaitMs}: 150 ms (shared/notes/cluster.md §3.5: ~100–200 ms). */
  public static final long DEFAULT_GAP_WAIT_MS = 150;
  /** Default {@code fillTimeoutMs}: 15,000 ms, beyond Hazelcast's 10 s call timeout. */
  public static final long DEFAULT_FILL_TIMEOUT_MS = 15_000;

  /** The defaults above. */
  public static final ReorderLimits DEFAULTS =
      new ReorderLimits(DEFAULT_MAX_BUFFERED_CHANGES, DEFAULT_GAP_WAIT_MS, DEFAULT_FILL_TIMEOUT_MS);

  public ReorderLimits {
    if (maxBufferedChanges < 1) {
      throw new IllegalArgumentException(
          "maxBufferedChanges must be at least 1, was " + maxBufferedChanges);
    }
    if (gapWaitMs < 0 || fillTimeoutMs < 1) {
      throw new IllegalArgumentException("gapWaitMs must be >= 0 and fillTimeoutMs positive");
    }
  }
}
