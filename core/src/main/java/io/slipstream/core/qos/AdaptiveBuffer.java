package io.slipstream.core.qos;

/**
 * The adaptive part of a QoS class (docs/protocol.md §6, "QoS classes"): a connection of the class
 * holds at most {@code targetDelayMs} of its own measured drain rate, so its effective buffer bound
 * moves between {@code minEvents} and the class's {@code max} as the client reads faster or slower.
 *
 * <p>Immutable and thread-safe.
 *
 * @param minEvents the smallest effective bound, in entries (events and markers), however slowly
 *     the client reads: at least 1 and at most the class's {@code max} ({@code adaptive.min})
 * @param targetDelayMs how long the buffer may hold at the client's drain rate, in ms ({@code
 *     adaptive.targetDelayMs}); at least 1
 */
public record AdaptiveBuffer(int minEvents, long targetDelayMs) {

  /** The longest {@code targetDelayMs}: a day, far beyond any useful delay, so the product fits. */
  public static final long MAX_TARGET_DELAY_MS = 86_400_000;

  public AdaptiveBuffer {
    if (minEvents < 1) {
      throw new IllegalArgumentException("adaptive.min must be at least 1, was " + minEvents);
    }
    if (targetDelayMs < 1 || targetDelayMs > MAX_TARGET_DELAY_MS) {
      throw new IllegalArgumentException(
          "adaptive.targetDelayMs must be 1 to " + MAX_TARGET_DELAY_MS + ", was " + targetDelayMs);
    }
  }

  /**
   * The effective bound for a client draining {@code drainPerSec} entries a second: {@code
   * clamp(ceil(drainPerSec * targetDelayMs / 1000), minEvents, maxEvents)}; {@code maxEvents} when
   * the rate is not known ({@code NaN}). A {@code minEvents} above {@code maxEvents} (the class's
   * bounds have not applied yet) yields {@code maxEvents}.
   *
   * @param maxEvents the class's {@code max}, at least 1
   */
  public int bound(double drainPerSec, int maxEvents) {
    if (Double.isNaN(drainPerSec)) {
      return maxEvents;
    }
    double events = Math.ceil(Math.max(0, drainPerSec) * targetDelayMs / 1000.0);
    int floor = Math.min(minEvents, maxEvents);
    // Compared as doubles first: a huge rate must not overflow the int.
    return events >= maxEvents ? maxEvents : Math.max(floor, (int) events);
  }
}
