package io.slipstream.core.buffer;

import io.slipstream.core.time.Clock;

/**
 * The two thresholds of one buffer's fill (docs/protocol.md §6), on the injected clock (a duration
 * clock: only differences of its millis are used). Crossing {@code warn} upwards raises a one-shot
 * warning flag ({@link #takeWarning()}), re-armed only once the fill has stayed below {@code warn}
 * for {@code warnRearmMs}, so the fill of a stalled client rising and falling with the kernel's
 * socket buffers gives one warning, not a storm. The time since the fill reached {@code
 * disconnect} is measured too ({@link #overDisconnectSince()}). A socket takes events in chunks (up
 * to its write queue at once), so the fill of a client that is hopelessly behind still dips below
 * {@code disconnect} for an instant after each chunk; only a dip that lasts longer than {@link
 * ClientBuffer#DIP_TOLERANCE_MS} ends the condition. A dip is timed from the moment the fill fell
 * below {@code disconnect}, never from the last event: a stalled client's buffer stays full however
 * rarely its topics publish, so quiet time is not mistaken for a dip. Both are evaluated lazily,
 * whenever the fill changes ({@link #onFill}) or is asked about: no timers.
 *
 * <p>Confined to its buffer's thread, as the buffer is.
 */
final class FillThresholds {

  private final long warnRearmMs;
  private final Clock clock;

  private boolean warnArmed = true;
  private boolean warningDue;

  /** When the fill last fell below {@code warn} while disarmed; -1 while at or above, or armed. */
  private long belowWarnSince = -1;

  private long overDisconnectSince = -1;

  /** When the fill fell below {@code disconnect} during the condition; -1 while at or above. */
  private long dipSince = -1;

  FillThresholds(long warnRearmMs, Clock clock) {
    if (warnRearmMs < 0) {
      throw new IllegalArgumentException("warnRearmMs must not be negative, was " + warnRearmMs);
    }
    this.warnRearmMs = warnRearmMs;
    this.clock = clock;
  }

  long warnRearmMs() {
    return warnRearmMs;
  }

  /**
   * Hears the fill after a change of it. Called on every change, so the time below warn and a dip
   * both start when the fill really falls, not when an event next happens to arrive; the clock is
   * read only then.
   */
  void onFill(double fill, BufferLimits limits) {
    if (fill >= limits.warn()) {
      if (warnArmed || (belowWarnSince >= 0 && clock.millis() - belowWarnSince >= warnRearmMs)) {
        warnArmed = false;
        warningDue = true;
      }
      belowWarnSince = -1;
    } else if (!warnArmed && belowWarnSince < 0) {
      belowWarnSince = clock.millis();
    }
    if (fill >= limits.disconnect()) {
      long now = clock.millis();
      if (overDisconnectSince < 0
          || (dipSince >= 0 && now - dipSince > ClientBuffer.DIP_TOLERANCE_MS)) {
        overDisconnectSince = now;
      }
      dipSince = -1;
    } else if (overDisconnectSince >= 0 && dipSince < 0) {
      dipSince = clock.millis();
    }
  }

  /** See {@link ClientBuffer#takeWarning()}. */
  boolean takeWarning() {
    boolean due = warningDue;
    warningDue = false;
    return due;
  }

  /** See {@link ClientBuffer#overDisconnectSince()}. */
  long overDisconnectSince() {
    if (dipSince >= 0 && clock.millis() - dipSince > ClientBuffer.DIP_TOLERANCE_MS) {
      overDisconnectSince = -1;
      dipSince = -1;
    }
    return overDisconnectSince;
  }

  /** See {@link ClientBuffer#sustainedOverDisconnect(long)}. */
  boolean sustainedOverDisconnect(long sustainMs) {
    long since = overDisconnectSince();
    return since >= 0 && clock.millis() - since >= sustainMs;
  }

  /** Back to the start: armed, no condition timed (the buffer was emptied for good). */
  void reset() {
    overDisconnectSince = -1;
    dipSince = -1;
    warnArmed = true;
    belowWarnSince = -1;
  }

  /** Checks the invariants against the buffer's current {@code fill}; for tests. */
  void checkInvariants(double fill, BufferLimits limits) {
    PendingQueue.check(
        belowWarnSince < 0 || (!warnArmed && fill < limits.warn()),
        "the time below warn is kept only while disarmed and below warn");
    PendingQueue.check(
        dipSince < 0 || overDisconnectSince >= 0, "a dip is timed only within the condition");
    PendingQueue.check(
        overDisconnectSince < 0 || dipSince >= 0 || fill >= limits.disconnect(),
        "below disconnect within the condition only during a timed dip");
  }
}
