package io.slipstream.core.time;

/**
 * A source of wall-clock milliseconds, injected wherever a TTL, sustain timer or heartbeat is
 * measured so tests can drive time by hand.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface Clock {

  /** Milliseconds since the Unix epoch. */
  long millis();

  /** The system clock. */
  static Clock system() {
    return System::currentTimeMillis;
  }
}
