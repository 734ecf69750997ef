package io.slipstream.loadtest.accounting;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The largest value of one measure (a stall, a publish's latency) in each phase of a run, the
 * phase being set by the scenario as it goes ({@code steady}, {@code after kill -9}, …). Nothing
 * is recorded before the first {@link #phase} call or after {@link #close}.
 *
 * <p>Thread-safe: many writers (client event loops, the publisher), the scenario's thread sets the
 * phase and reads. Bounded: {@link #MAX_PHASES} slots, a fixed array.
 */
public final class PhaseMaxima {

  /** Phases a run may have. */
  public static final int MAX_PHASES = 16;

  private final AtomicLongArray max = new AtomicLongArray(MAX_PHASES);
  private volatile int phase = -1;
  private volatile long openedNanos;

  /** From now on, values count towards phase {@code index}; the first call opens the window. */
  public void phase(int index) {
    if (index < 0 || index >= MAX_PHASES) {
      throw new IllegalArgumentException(
          "phase must be within [0, " + MAX_PHASES + "), was " + index);
    }
    if (phase < 0) {
      openedNanos = System.nanoTime();
    }
    phase = index;
  }

  /** Stops recording. */
  public void close() {
    phase = -1;
  }

  /** Whether values are being recorded. */
  public boolean open() {
    return phase >= 0;
  }

  /** When recording began ({@code System.nanoTime()}), meaningful while {@link #open()}. */
  public long openedNanos() {
    return openedNanos;
  }

  /** Counts {@code value} towards the current phase, if any. */
  public void record(long value) {
    int p = phase;
    if (p >= 0) {
      max.accumulateAndGet(p, value, Math::max);
    }
  }

  /** The largest value recorded in phase {@code index} (0 when none). */
  public long max(int index) {
    return max.get(index);
  }

  /** The largest value recorded in any phase. */
  public long max() {
    long m = 0;
    for (int i = 0; i < MAX_PHASES; i++) {
      m = Math.max(m, max.get(i));
    }
    return m;
  }
}
