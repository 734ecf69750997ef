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

  /**
   * As {@link #next(int, long, double)}, each row also naming {@code origin}, the index of the
   * node the body is sent to first (ignored by bodies that carry no such field, and when -1).
   */
  default String next(int n, long firstMicros, double stepMicros, int origin) {
    return next(n, firstMicros, stepMicros);
  }

  /** The largest number of changes one body may carry. */
  int maxPerBody();

  /**
   * The version ({@code v}) of the last change built, when every change carries one numbered by
   * one from the one before (so a body of n changes carries {@code built() - n + 1 .. built()});
   * -1 when the bodies carry no such numbering.
   */
  default long built() {
    return -1;
  }
}
