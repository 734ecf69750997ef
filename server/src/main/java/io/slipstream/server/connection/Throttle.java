package io.slipstream.server.connection;

/**
 * A connection's outbound token bucket (docs/protocol.md §5, QoS classes): at most {@code rate}
 * events a second, in bursts of at most {@link #burst()} (a tenth of a second's worth, at least
 * one), so that a throttled client's events wait in its buffer and meet its class's policy rather
 * than pile up anywhere else.
 *
 * <p>Confined to its connection's event loop. Times on the monotonic millis it is given.
 */
final class Throttle {

  /** A bucket that never refuses. */
  static final Throttle UNLIMITED = new Throttle(0, 0);

  private final double perMs;
  private final double burst;
  private double tokens;
  private long refilledAt;

  /**
   * @param rate events per second, 0 for no limit
   * @param now the clock's millis now; the bucket starts full
   */
  Throttle(double rate, long now) {
    this.perMs = rate / 1000.0;
    this.burst = rate <= 0 ? 0 : Math.max(1, Math.ceil(rate / 10));
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** Whether the bucket limits anything. */
  boolean limited() {
    return perMs > 0;
  }

  /** The most events sent at once after a pause. */
  double burst() {
    return burst;
  }

  /** Takes one token if there is one. */
  boolean tryTake(long now) {
    if (perMs <= 0) {
      return true;
    }
    refill(now);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** Returns a token taken for nothing. */
  void giveBack() {
    if (perMs > 0) {
      tokens = Math.min(burst, tokens + 1);
    }
  }

  /** Milliseconds until the next token, at least 1; 0 when one is there now. */
  long waitMs(long now) {
    if (perMs <= 0) {
      return 0;
    }
    refill(now);
    return tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perMs));
  }

  private void refill(long now) {
    if (now > refilledAt) {
      tokens = Math.min(burst, tokens + (now - refilledAt) * perMs);
      refilledAt = now;
    }
  }
}
