package io.slipstream.core.replay;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToLongFunction;

/**
 * The most recent changes of one topic and epoch (docs/protocol.md §1, default 100,000 events),
 * shared by every subscriber: a ring bounded both in events ({@code replayLogSize}) and in bytes
 * ({@code replayLogBytes}).
 *
 * <p>Single writer (the topic's owner), any number of lock-free readers. A reader that asks for a
 * seq the log no longer holds gets {@code null}, never a wrong event: each slot is checked against
 * the seq asked for. This lets a subscriber replay lazily, at its socket's pace, without holding a
 * copy and without slowing the writer.
 *
 * <p>The ring starts small ({@value #INITIAL_SLOTS} slots) and doubles, up to {@code capacity},
 * only when it holds that many events: a topic costs memory for what it holds, not for what it
 * might hold (a node with many quiet topics no longer reserves {@code replayLogSize} slots for
 * each). Growing copies the held events into the new array before publishing it, and every slot is
 * written before {@link #lastSeq()} announces it, so a reader that read {@code lastSeq} first and
 * the array second always finds each seq it may ask for, or a newer event in its slot.
 *
 * <p>Whenever appending would pass either bound, the oldest events are evicted first (their slots
 * cleared, so the memory really goes); {@link #firstSeq()} and {@link #covers} move with them. An
 * event larger than the whole byte bound is not kept at all: the log then holds nothing, and only a
 * subscriber already at the newest seq is covered.
 */
public final class ReplayLog<E extends Sequenced> {

  /** Default {@code replayLogSize}: events kept per topic. */
  public static final int DEFAULT_CAPACITY = 100_000;

  /** Slots of a new log's ring; it doubles from here as events arrive. */
  public static final int INITIAL_SLOTS = 16;

  /** Bytes one ring slot costs (a compressed reference), for {@link #footprint()}. */
  public static final int SLOT_BYTES = 4;

  private static final ToLongFunction<Object> NO_SIZE = e -> 0;

  private final int capacity;
  private final long maxBytes;
  private final ToLongFunction<? super E> sizer;

  /** Replaced (never mutated after publication except slot by slot) when the ring grows. */
  private volatile AtomicReferenceArray<E> slots;

  private volatile long firstSeq = 1;
  private volatile long lastSeq;
  // Writer-only bookkeeping: the readers never need it.
  private long bytes;

  /**
   * An empty log bounded in events only, whose next append carries seq 1.
   *
   * @param capacity events kept; at least 1
   */
  public ReplayLog(int capacity) {
    this(capacity, Long.MAX_VALUE, NO_SIZE);
  }

  /**
   * An empty log bounded in events and bytes, whose next append carries seq 1.
   *
   * @param capacity events kept; at least 1
   * @param maxBytes bytes kept, as {@code sizer} counts them; at least 1
   * @param sizer the size of an event in bytes; must not change for an event
   */
  public ReplayLog(int capacity, long maxBytes, ToLongFunction<? super E> sizer) {
    if (capacity < 1) {
      throw new IllegalArgumentException("replayLogSize must be at least 1, was " + capacity);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("replayLogBytes must be at least 1, was " + maxBytes);
    }
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.sizer = sizer;
    this.slots = new AtomicReferenceArray<>(Math.min(capacity, INITIAL_SLOTS));
  }

  /** Events kept at most. */
  public int capacity() {
    return capacity;
  }

  /** Bytes kept at most. */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Appends the next event, evicting the oldest first while keeping it would pass a bound. Called
   * only by the topic's owner.
   *
   * @throws IllegalStateException if {@code event.seq()} is not the last seq + 1 (a bug)
   */
  public void append(E event) {
    long seq = lastSeq + 1;
    if (event.seq() != seq) {
      throw new IllegalStateException(
          "append out of order: expected seq " + seq + ", got " + event.seq());
    }
    long size = sizer.applyAsLong(event);
    while (held() > 0 && (held() >= capacity || bytes + size > maxBytes)) {
      evictOldest();
    }
    if (size > maxBytes) {
      // Too big to keep even alone: the log is empty from here on, and stays gap-free.
      firstSeq = seq + 1;
    } else {
      AtomicReferenceArray<E> ring = slots;
      if (held() == ring.length()) {
        ring = grow(ring);
      }
      ring.set(index(seq, ring.length()), event);
      bytes += size;
    }
    // The volatile write publishes the slot (and any new ring) to readers that see the new seq.
    lastSeq = seq;
  }

  /**
   * How much {@link #footprint()} would change if {@code events} were appended now, without
   * appending them: the same evictions and growth {@link #append} would make. Owner thread only.
   *
   * @param sizes the byte sizes of the events to append, in order
   */
  public long footprintGrowth(long[] sizes) {
    AtomicReferenceArray<E> ring = slots;
    long first = firstSeq;
    long held = held();
    long b = bytes;
    int ringLength = ring.length();
    // Seqs from here on are the projected events, whose sizes come from `sizes`, not the ring.
    long projectedFrom = lastSeq + 1;
    for (int i = 0; i < sizes.length; i++) {
      long size = sizes[i];
      while (held > 0 && (held >= capacity || b + size > maxBytes)) {
        b -=
            first < projectedFrom
                ? sizer.applyAsLong(ring.get(index(first, ring.length())))
                : sizes[(int) (first - projectedFrom)];
        first++;
        held--;
      }
      if (size > maxBytes) {
        first = projectedFrom + i + 1;
      } else {
        if (held == ringLength) {
          ringLength = grownLength(ringLength);
        }
        b += size;
        held++;
      }
    }
    return (b - bytes) + (long) (ringLength - ring.length()) * SLOT_BYTES;
  }

  /**
   * Makes an empty log that was never appended to continue after {@code seq}: its next append
   * carries {@code seq + 1}. A follower replica (docs/cluster.md) restored from a snapshot at seq S
   * holds nothing before the changes it copies, so its log starts past them. Owner thread only.
   *
   * @throws IllegalStateException if anything was appended (a bug)
   */
  public void startAfter(long seq) {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be at least 0, was " + seq);
    }
    if (lastSeq != 0 || firstSeq != 1) {
      throw new IllegalStateException("startAfter on a log that was appended to");
    }
    firstSeq = seq + 1;
    lastSeq = seq;
  }

  /** The newest seq in the log, 0 when empty. */
  public long lastSeq() {
    return lastSeq;
  }

  /** The oldest seq still held, or {@code lastSeq() + 1} when none is (may move on at once). */
  public long firstSeq() {
    return firstSeq;
  }

  /** Events held now. Owner thread only (readers may see it lag). */
  public int size() {
    return (int) held();
  }

  /** Bytes held now, as the sizer counts them. Owner thread only. */
  public long bytes() {
    return bytes;
  }

  /** Ring slots allocated now. */
  public int slotCount() {
    return slots.length();
  }

  /** Bytes this log accounts for: the events held plus {@value #SLOT_BYTES} per ring slot. */
  public long footprint() {
    return bytes + (long) slots.length() * SLOT_BYTES;
  }

  /**
   * Whether every change after {@code fromSeq} up to the newest can be read: {@code fromSeq} is at
   * most the newest seq and at least the oldest held seq - 1.
   */
  public boolean covers(long fromSeq) {
    long last = lastSeq;
    return fromSeq >= 0 && fromSeq <= last && fromSeq >= firstSeq - 1;
  }

  /** The event with {@code seq}, or null when it is not (or no longer) in the log. */
  public E get(long seq) {
    // lastSeq before the ring: its volatile read makes every slot up to it visible.
    long last = lastSeq;
    if (seq < 1 || seq > last || seq < firstSeq) {
      return null;
    }
    AtomicReferenceArray<E> ring = slots;
    E e = ring.get(index(seq, ring.length()));
    return e != null && e.seq() == seq ? e : null;
  }

  /**
   * Checks the writer's bookkeeping against the ring; throws on the first mismatch. For tests, on
   * the owner thread.
   */
  public void checkInvariants() {
    long first = firstSeq;
    long last = lastSeq;
    AtomicReferenceArray<E> ring = slots;
    if (first < 1 || first > last + 1) {
      throw new IllegalStateException("firstSeq " + first + " outside 1.." + (last + 1));
    }
    if (held() > capacity || held() > ring.length()) {
      throw new IllegalStateException("holds " + held() + " events in " + ring.length() + " slots");
    }
    if (ring.length() > capacity || (ring.length() < capacity && ring.length() < INITIAL_SLOTS)) {
      throw new IllegalStateException("ring of " + ring.length() + " slots for " + capacity);
    }
    long sum = 0;
    for (long s = first; s <= last; s++) {
      E e = ring.get(index(s, ring.length()));
      if (e == null || e.seq() != s) {
        throw new IllegalStateException("slot of seq " + s + " holds " + e);
      }
      sum += sizer.applyAsLong(e);
    }
    if (sum != bytes || bytes > maxBytes) {
      throw new IllegalStateException("bytes " + bytes + ", events sum to " + sum);
    }
    int live = 0;
    for (int i = 0; i < ring.length(); i++) {
      if (ring.get(i) != null) {
        live++;
      }
    }
    if (live != held()) {
      throw new IllegalStateException(live + " slots in use for " + held() + " events");
    }
  }

  private long held() {
    return lastSeq - firstSeq + 1;
  }

  private void evictOldest() {
    long seq = firstSeq;
    AtomicReferenceArray<E> ring = slots;
    int i = index(seq, ring.length());
    bytes -= sizer.applyAsLong(ring.get(i));
    // Readers check firstSeq after lastSeq; moving it first means none is sent to a cleared slot
    // expecting the event (one that already read the old firstSeq sees null: out of window).
    firstSeq = seq + 1;
    ring.set(i, null);
  }

  private AtomicReferenceArray<E> grow(AtomicReferenceArray<E> ring) {
    AtomicReferenceArray<E> bigger = new AtomicReferenceArray<>(grownLength(ring.length()));
    for (long s = firstSeq; s <= lastSeq; s++) {
      bigger.set(index(s, bigger.length()), ring.get(index(s, ring.length())));
    }
    slots = bigger;
    return bigger;
  }

  private int grownLength(int length) {
    return (int) Math.min(capacity, 2L * length);
  }

  private static int index(long seq, int length) {
    return (int) ((seq - 1) % length);
  }
}
