package io.slipstream.server.connection;

/**
 * A token bucket for inbound messages: {@code rate} per second, bursts up to {@code burst}.
 *
 * <p>Confined to its connection's event loop. Times are monotonic milliseconds ({@code
 * Clock.millis()}): a wall-clock step must neither refill nor freeze the bucket.
 */
final class RateLimiter {

  private final double ratePerMs;
  private final double burst;
  private double tokens;
  private long last;

  RateLimiter(int ratePerSecond, int burst, long now) {
    this.ratePerMs = ratePerSecond / 1000.0;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token at {@code now}; false when the bucket is empty. */
  boolean tryAcquire(long now) {
    if (now > last) {
      tokens = Math.min(burst, tokens + (now - last) * ratePerMs);
      last = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
