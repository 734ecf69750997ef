package io.slipstream.core.replay;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The most recent changes of one topic and epoch, in a fixed ring (PROTOCOL.md §1, default
 * 100,000 events), shared by every subscriber.
 *
 * <p>Single writer (the topic's owner), any number of lock-free readers. A reader that asks for a
 * seq the ring has already overwritten gets {@code null}, never a wrong event: each slot is
 * checked against the seq asked for. This lets a subscriber replay lazily, at its socket's pace,
 * without holding a copy and without slowing the writer.
 */
public final class ReplayLog<E extends Sequenced> {

  /** Default {@code replayLogSize}: events kept per topic. */
  public static final int DEFAULT_CAPACITY = 100_000;

  private final AtomicReferenceArray<E> slots;
  private final int capacity;
  private volatile long lastSeq;

  /**
   * An empty log whose next append carries seq 1.
   *
   * @param capacity events kept; at least 1
   */
  public ReplayLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("replayLogSize must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    this.slots = new AtomicReferenceArray<>(capacity);
  }

  /** Events kept at most. */
  public int capacity() {
    return capacity;
  }

  /**
   * Appends the next event. Called only by the topic's owner.
   *
   * @throws IllegalStateException if {@code event.seq()} is not the last seq + 1 (a bug)
   */
  public void append(E event) {
    long expected = lastSeq + 1;
    if (event.seq() != expected) {
      throw new IllegalStateException("append out of order: expected seq " + expected + ", got " + event.seq());
    }
    slots.set(index(expected), event);
    // The volatile write publishes the slot to readers that see the new lastSeq.
    lastSeq = expected;
  }

  /** The newest seq in the log, 0 when empty. */
  public long lastSeq() {
    return lastSeq;
  }

  /** The oldest seq still held (may already be overwritten by the time it is read). */
  public long firstSeq() {
    long last = lastSeq;
    return Math.max(1, last - capacity + 1);
  }

  /**
   * Whether every change after {@code fromSeq} up to the newest can be read: {@code fromSeq} is
   * at most the newest seq and at least the oldest held seq - 1.
   */
  public boolean covers(long fromSeq) {
    long last = lastSeq;
    return fromSeq >= 0 && fromSeq <= last && fromSeq >= Math.max(0, last - capacity);
  }

  /** The event with {@code seq}, or null when it is not (or no longer) in the log. */
  public E get(long seq) {
    long last = lastSeq;
    if (seq < 1 || seq > last || seq <= last - capacity) {
      return null;
    }
    E e = slots.get(index(seq));
    return e != null && e.seq() == seq ? e : null;
  }

  private int index(long seq) {
    return (int) ((seq - 1) % capacity);
  }
}
