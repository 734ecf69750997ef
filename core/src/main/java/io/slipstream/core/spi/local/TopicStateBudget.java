package io.slipstream.core.spi.local;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The node-wide bound on topic state ({@code topicStateBudgetBytes}): an estimate, in bytes, of
 * every topic's rows, replay log and dedupe window, reserved before a publish applies and given
 * back as changes are evicted, overwritten or deleted. A publish whose growth would pass the limit
 * is refused ({@code storage-full}) before anything is applied.
 *
 * <p>Thread-safe (lock-free): every shard's sequencer reserves from the same budget.
 */
public final class TopicStateBudget {

  private final long limitBytes;
  private final AtomicLong used = new AtomicLong();

  /**
   * @param limitBytes the most bytes all topics together may hold; at least 1
   */
  public TopicStateBudget(long limitBytes) {
    if (limitBytes < 1) {
      throw new IllegalArgumentException(
          "topicStateBudgetBytes must be at least 1, was " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /** The bound, bytes. */
  public long limitBytes() {
    return limitBytes;
  }

  /** Bytes accounted for now. */
  public long usedBytes() {
    return used.get();
  }

  /**
   * Takes {@code bytes} from the budget unless that would pass the limit. Growth of zero or less
   * always succeeds (a publish that frees memory is never refused).
   *
   * @return whether the bytes were taken
   */
  public boolean tryReserve(long bytes) {
    if (bytes <= 0) {
      used.addAndGet(bytes);
      return true;
    }
    while (true) {
      long now = used.get();
      if (now + bytes > limitBytes) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Gives {@code bytes} back (negative: takes them, unconditionally, to correct an estimate). */
  public void release(long bytes) {
    used.addAndGet(-bytes);
  }
}
