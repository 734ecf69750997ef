package io.slipstream.core.spi.local;

/**
 * Runs a task once after a delay; what the local sequencer answers expired publishes with while
 * their shard is still busy.
 *
 * <p>Implementations are thread-safe and run the task on a thread of their own (never inline).
 */
@FunctionalInterface
public interface DeadlineTimer {

  /**
   * Schedules {@code task} to run once, {@code delayMillis} from now.
   *
   * @return cancels the task if it has not run yet; calling it again or late is harmless
   */
  Runnable schedule(long delayMillis, Runnable task);
}
