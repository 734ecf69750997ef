package io.slipstream.server.connection;

/**
 * Counts a connection's protocol errors in a sliding window: more than {@link #MAX_ERRORS} in
 * {@link #WINDOW_MS} is a protocol violation (close 4004).
 *
 * <p>Confined to its connection's event loop. Bounded: a ring of {@code MAX_ERRORS} timestamps,
 * monotonic milliseconds ({@code Clock.millis()}).
 */
final class ErrorBudget {

  /** Errors allowed in one window. */
  static final int MAX_ERRORS = 20;

  /** The window, in ms. */
  static final long WINDOW_MS = 10_000;

  /** Allocated on the first error: a well-behaved connection never needs it. */
  private long[] times;

  private int next;
  private int count;

  /** Records an error at {@code now}; true when that exceeds the budget. */
  boolean exceeded(long now) {
    if (times == null) {
      times = new long[MAX_ERRORS];
    }
    if (count == MAX_ERRORS && now - times[next] < WINDOW_MS) {
      return true;
    }
    times[next] = now;
    next = (next + 1) % MAX_ERRORS;
    count = Math.min(count + 1, MAX_ERRORS);
    return false;
  }
}
