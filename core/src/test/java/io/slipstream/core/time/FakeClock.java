package io.slipstream.core.time;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that stands still until a test moves it: settable and advanceable millis.
 *
 * <p>Thread-safe, as the {@link Clock} contract asks, so a test thread may move it while the code
 * under test reads it.
 */
public final class FakeClock implements Clock {

  /**
   * Where a new clock starts: an arbitrary, positive instant, so no code mistakes it for "unset".
   */
  public static final long DEFAULT_START = 1_700_000_000_000L;

  private final AtomicLong now;

  /** A clock standing at {@link #DEFAULT_START}. */
  public FakeClock() {
    this(DEFAULT_START);
  }

  /** A clock standing at {@code startMillis}. */
  public FakeClock(long startMillis) {
    this.now = new AtomicLong(startMillis);
  }

  @Override
  public long millis() {
    return now.get();
  }

  /**
   * Moves the clock to {@code millis}, which may be earlier than now (a wall clock can step back).
   */
  public void set(long millis) {
    now.set(millis);
  }

  /**
   * Moves the clock forward by {@code deltaMillis}.
   *
   * @return the new time
   */
  public long advance(long deltaMillis) {
    if (deltaMillis < 0) {
      throw new IllegalArgumentException("deltaMillis must not be negative, was " + deltaMillis);
    }
    return now.addAndGet(deltaMillis);
  }
}
