package io.slipstream.loadtest.publish;

/**
 * Builds request bodies of {@code n} changes, each stamped with the tool's monotonic clock.
 *
 * <p>Confined to the publisher's event loop; implementations keep counters.
 */
public interface Bodies {

  /**
   * A body carrying the next {@code n} changes (n is at least 1), the k-th (from 0) stamped {@code
   * firstMicros + k * stepMicros}.
   *
   * @param firstMicros the time to stamp into the first change, in microseconds of {@code
   *     System.nanoTime()}
   * @param stepMicros how much later each following change is stamped
   */
  String next(int n, long firstMicros, double stepMicros);

  /** The largest number of changes one body may carry. */
  int maxPerBody();
}
