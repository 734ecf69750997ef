package io.slipstream.loadtest.publish;

/**
 * Builds request bodies of {@code n} changes, each stamped with the tool's monotonic clock.
 *
 * <p>Confined to the publisher's event loop; implementations keep counters.
 */
public interface Bodies {

  /**
   * A body carrying the next {@code n} changes (n is at least 1).
   *
   * @param nowMicros the send time to stamp, {@code System.nanoTime() / 1000}
   */
  String next(int n, long nowMicros);

  /** The largest number of changes one body may carry. */
  int maxPerBody();
}
