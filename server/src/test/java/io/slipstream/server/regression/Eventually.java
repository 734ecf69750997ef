package io.slipstream.server.regression;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition seen from outside the server (an HTTP answer, a gauge) that no event
 * announces; polls every 20 ms up to a timeout.
 *
 * <p>Stateless and thread-safe.
 */
final class Eventually {

  private Eventually() {}

  /** Returns once {@code condition} holds; fails with {@code what} after {@code timeout}. */
  static void await(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
