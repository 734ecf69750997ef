package io.slipstream.cluster.log;

import java.util.ArrayList;
import java.util.List;

/**
 * The replay ring of one topic log: the most recent changes, contiguous in seq and ending at the
 * log's last seq, in a circular array.
 *
 * <p>Confined to the partition thread that owns the topic's entry (or to a test); not thread-safe.
 *
 * <p>Bounds: {@link #evict} brings it back to at most {@link LogLimits#maxRingEvents()} changes
 * and {@link LogLimits#maxRingBytes()} of weight after every append; between an append and its
 * eviction it holds at most one batch more, and a batch is never larger than the ring (see {@link
 * TopicLog#plan}). The array grows by doubling and so never exceeds twice what the ring holds.
 */
final class ChangeRing {

  private static final int INITIAL_CAPACITY = 16;

  private LoggedChange[] slots = new LoggedChange[INITIAL_CAPACITY];
  private int head;
  private int size;
  /** The seq of the oldest change held; when empty, the seq the next change will get. */
  private long firstSeq = 1;
  private long bytes;

  /** An empty ring whose first change will have seq {@code nextSeq}. */
  static ChangeRing startingAt(long nextSeq) {
    ChangeRing ring = new ChangeRing();
    ring.firstSeq = nextSeq;
    return ring;
  }

  int size() {
    return size;
  }

  long bytes() {
    return bytes;
  }

  /** The seq of the oldest change held, or of the next change when empty. */
  long firstSeq() {
    return firstSeq;
  }

  /** The seq of the newest change held, or {@code firstSeq() - 1} when empty. */
  long lastSeq() {
    return firstSeq + size - 1;
  }

  /** The change at {@code seq}; the seq must be held. */
  LoggedChange get(long seq) {
    if (seq < firstSeq || seq > lastSeq()) {
      throw new IllegalArgumentException(
          "seq " + seq + " is outside the ring " + firstSeq + ".." + lastSeq());
    }
    return slots[(int) ((head + (seq - firstSeq)) % slots.length)];
  }

  /** Appends {@code change} at seq {@code lastSeq() + 1}. */
  void add(LoggedChange change) {
    if (size == slots.length) {
      grow();
    }
    slots[(head + size) % slots.length] = change;
    size++;
    bytes += change.weight();
  }

  /** Drops the oldest changes until both bounds hold. */
  void evict(int maxEvents, long maxBytes) {
    while (size > 0 && (size > maxEvents || bytes > maxBytes)) {
      LoggedChange oldest = slots[head];
      slots[head] = null;
      head = (head + 1) % slots.length;
      size--;
      firstSeq++;
      bytes -= oldest.weight();
    }
  }

  /** The changes {@code from..to}, both held, as a new list. */
  List<LoggedChange> slice(long from, long to) {
    List<LoggedChange> out = new ArrayList<>((int) Math.max(0, to - from + 1));
    for (long seq = from; seq <= to; seq++) {
      out.add(get(seq));
    }
    return out;
  }

  /** A copy holding the same (immutable) changes. */
  ChangeRing copy() {
    ChangeRing c = new ChangeRing();
    c.slots = new LoggedChange[Math.max(INITIAL_CAPACITY, Integer.highestOneBit(size) * 2)];
    for (int i = 0; i < size; i++) {
      c.slots[i] = slots[(head + i) % slots.length];
    }
    c.size = size;
    c.firstSeq = firstSeq;
    c.bytes = bytes;
    return c;
  }

  private void grow() {
    LoggedChange[] bigger = new LoggedChange[slots.length * 2];
    for (int i = 0; i < size; i++) {
      bigger[i] = slots[(head + i) % slots.length];
    }
    slots = bigger;
    head = 0;
  }
}
