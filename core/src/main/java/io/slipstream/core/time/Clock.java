package io.slipstream.core.time;

/**
 * The time source injected wherever a duration is measured (TTLs, sustain timers, heartbeats, rate
 * limits) or a wall-clock instant is stamped, so tests can drive both by hand.
 *
 * <p>Two clocks in one, because they answer different questions: {@link #millis()} is monotonic
 * (it never steps when NTP or an operator sets the system clock), so a duration measured on it is
 * the time that really passed; {@link #wallMillis()} is the calendar time for {@code ts} fields,
 * epochs and {@code connectedAt}, and must never be subtracted to time a local condition.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface Clock {

  /** Monotonic milliseconds from an arbitrary origin: only differences mean anything. */
  long millis();

  /** Milliseconds since the Unix epoch, for timestamps shown to clients and operators. */
  default long wallMillis() {
    return System.currentTimeMillis();
  }

  /** The system clock: {@link System#nanoTime()} for durations, the wall clock for instants. */
  static Clock system() {
    return () -> System.nanoTime() / 1_000_000;
  }
}
