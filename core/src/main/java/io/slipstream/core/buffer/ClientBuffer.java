package io.slipstream.core.buffer;

import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One connection's bounded queue of outbound live events (PROTOCOL.md §5).
 *
 * <p>Confined to its connection's event loop: no locks, no volatile fields.
 *
 * <p>Bounds: at most {@link BufferLimits#maxEvents()} events and {@link BufferLimits#maxBytes()}
 * encoded bytes. Gaps left by dropping are kept as {@code dropped} markers in the exact stream
 * position of the missing events, so a client can always tell which seqs it lacks; markers are
 * merged per topic, so there are at most one per subscribed topic at the head ({@code
 * drop-oldest}) and one per topic between two queued events ({@code drop-newest}).
 *
 * <p>The buffer also tracks the two thresholds: crossing {@code warn} upwards raises a one-shot
 * warning flag ({@link #takeWarning()}), and the time since fill reached {@code disconnect} is
 * measured on the injected clock ({@link #overDisconnectSince()}). A socket takes events in
 * chunks (up to its write queue at once), so the fill of a client that is hopelessly behind still
 * dips below {@code disconnect} for an instant after each chunk; only a dip that lasts longer than
 * {@link #DIP_TOLERANCE_MS} ends the condition. A dip is timed from the moment the fill fell
 * below {@code disconnect}, never from the last event: a stalled client's buffer stays full
 * however rarely its topics publish, so quiet time is not mistaken for a dip.
 */
public final class ClientBuffer {

  /**
   * The longest dip below {@code disconnect} that still counts as "no pause" in the
   * sustained-disconnect condition, in ms.
   */
  public static final long DIP_TOLERANCE_MS = 250;

  private final BufferLimits limits;
  private final Clock clock;

  /** Live events and, under drop-newest, gap markers between them. */
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  /** Under drop-oldest: gaps that precede everything in {@link #queue}, in creation order. */
  private final LinkedHashMap<String, Gap> headGaps = new LinkedHashMap<>();
  /** Under drop-newest: gaps at the tail of {@link #queue}, i.e. with no event after them. */
  private final Map<String, Gap> tailGaps = new HashMap<>();

  private int pending;
  private long pendingBytes;
  private long droppedEvents;
  private boolean warnArmed = true;
  private boolean warningDue;
  private long overDisconnectSince = -1;
  /** When the fill fell below {@code disconnect} during the condition; -1 while at or above. */
  private long dipSince = -1;

  /** An empty buffer with the given bounds, timing sustained fill on {@code clock}. */
  public ClientBuffer(BufferLimits limits, Clock clock) {
    if (limits.policy() == DropPolicy.CONFLATE) {
      throw new IllegalArgumentException("buffer.policy conflate is not supported by this buffer");
    }
    this.limits = limits;
    this.clock = clock;
  }

  /** The bounds this buffer enforces. */
  public BufferLimits limits() {
    return limits;
  }

  /**
   * Queues a live event, applying the drop policy when the buffer is full.
   *
   * @return what happened; under {@code disconnect} a full buffer refuses the event
   */
  public OfferOutcome offer(ChangeEvent event) {
    OfferOutcome outcome = OfferOutcome.ACCEPTED;
    if (!fits(event)) {
      switch (limits.policy()) {
        case DISCONNECT:
          return OfferOutcome.DISCONNECT;
        case DROP_NEWEST:
          dropNewest(event);
          afterChange();
          return OfferOutcome.DROPPED;
        default:
          outcome = OfferOutcome.DROPPED;
          while (pending > 0 && !fits(event)) {
            evictOldest();
          }
          if (!fits(event)) {
            // Larger than the whole byte bound: it can never be delivered, and nothing older is
            // left, so its gap stands at the head.
            recordHeadGap(event);
            afterChange();
            return outcome;
          }
      }
    }
    queue.addLast(event);
    tailGaps.clear();
    pending++;
    pendingBytes += event.size();
    afterChange();
    return outcome;
  }

  /**
   * Hands the oldest entry, a change or a gap, to {@code sink}.
   *
   * @return false when the buffer was empty
   */
  public boolean poll(BufferSink sink) {
    if (!headGaps.isEmpty()) {
      Iterator<Gap> it = headGaps.values().iterator();
      Gap g = it.next();
      it.remove();
      sink.dropped(g.topic, g.from, g.to, g.count);
      return true;
    }
    Object head = queue.pollFirst();
    if (head == null) {
      return false;
    }
    if (head instanceof Gap) {
      Gap g = (Gap) head;
      if (tailGaps.get(g.topic) == g) {
        tailGaps.remove(g.topic);
      }
      sink.dropped(g.topic, g.from, g.to, g.count);
      return true;
    }
    ChangeEvent e = (ChangeEvent) head;
    pending--;
    pendingBytes -= e.size();
    afterChange();
    sink.change(e);
    return true;
  }

  /** Whether nothing (no change, no gap) is waiting. */
  public boolean isEmpty() {
    return queue.isEmpty() && headGaps.isEmpty();
  }

  /** Live events waiting (gap markers are not events). */
  public int pending() {
    return pending;
  }

  /** Encoded bytes of the events waiting. */
  public long pendingBytes() {
    return pendingBytes;
  }

  /** Events this buffer has dropped since it was made. */
  public long droppedEvents() {
    return droppedEvents;
  }

  /** {@code max(pending / maxEvents, pendingBytes / maxBytes)}, from 0 to 1. */
  public double fill() {
    return Math.max(
        (double) pending / limits.maxEvents(), (double) pendingBytes / limits.maxBytes());
  }

  /**
   * Returns true once after each upward crossing of {@code warn}; the caller then sends one
   * {@code warning}.
   */
  public boolean takeWarning() {
    boolean due = warningDue;
    warningDue = false;
    return due;
  }

  /**
   * When the fill reached {@code disconnect} without a dip longer than {@link #DIP_TOLERANCE_MS}
   * since, in clock millis; -1 when it is not there now.
   */
  public long overDisconnectSince() {
    if (dipSince >= 0 && clock.millis() - dipSince > DIP_TOLERANCE_MS) {
      overDisconnectSince = -1;
      dipSince = -1;
    }
    return overDisconnectSince;
  }

  /** Whether the fill has stayed at or above {@code disconnect}, without pause, for {@code sustainMs}. */
  public boolean sustainedOverDisconnect(long sustainMs) {
    long since = overDisconnectSince();
    return since >= 0 && clock.millis() - since >= sustainMs;
  }

  /**
   * Forgets every queued event and gap of {@code topic}, as when its subscription ends or
   * restarts. O(pending).
   */
  public void discardTopic(String topic) {
    headGaps.remove(topic);
    tailGaps.remove(topic);
    Iterator<Object> it = queue.iterator();
    while (it.hasNext()) {
      Object o = it.next();
      if (o instanceof ChangeEvent) {
        ChangeEvent e = (ChangeEvent) o;
        if (e.topic().equals(topic)) {
          it.remove();
          pending--;
          pendingBytes -= e.size();
        }
      } else if (((Gap) o).topic.equals(topic)) {
        it.remove();
      }
    }
    afterChange();
  }

  /** Empties the buffer, as when the connection closes. */
  public void clear() {
    queue.clear();
    headGaps.clear();
    tailGaps.clear();
    pending = 0;
    pendingBytes = 0;
    overDisconnectSince = -1;
    dipSince = -1;
    afterChange();
  }

  /**
   * Checks the structure's invariants; for tests.
   *
   * @throws IllegalStateException naming the broken invariant
   */
  public void checkInvariants() {
    int events = 0;
    long bytes = 0;
    for (Object o : queue) {
      if (o instanceof ChangeEvent) {
        events++;
        bytes += ((ChangeEvent) o).size();
      } else {
        Gap g = (Gap) o;
        check(g.count == g.to - g.from + 1 && g.count > 0, "gap count matches its range");
      }
    }
    check(events == pending, "pending counts the queued events");
    check(bytes == pendingBytes, "pendingBytes sums the queued events");
    check(pending <= limits.maxEvents(), "pending within buffer.max");
    check(pendingBytes <= limits.maxBytes(), "bytes within buffer.maxBytes");
    for (Gap g : headGaps.values()) {
      check(g.count == g.to - g.from + 1 && g.count > 0, "head gap count matches its range");
    }
    check(dipSince < 0 || overDisconnectSince >= 0, "a dip is timed only within the condition");
    check(
        overDisconnectSince < 0 || dipSince >= 0 || fill() >= limits.disconnect(),
        "below disconnect within the condition only during a timed dip");
  }

  private static void check(boolean ok, String invariant) {
    if (!ok) {
      throw new IllegalStateException("ClientBuffer invariant broken: " + invariant);
    }
  }

  private boolean fits(ChangeEvent event) {
    return pending + 1 <= limits.maxEvents() && pendingBytes + event.size() <= limits.maxBytes();
  }

  private void evictOldest() {
    // Under drop-oldest the queue holds only events: gaps live in headGaps.
    ChangeEvent oldest = (ChangeEvent) queue.pollFirst();
    pending--;
    pendingBytes -= oldest.size();
    recordHeadGap(oldest);
  }

  private void recordHeadGap(ChangeEvent e) {
    droppedEvents++;
    Gap g = headGaps.get(e.topic());
    if (g == null) {
      headGaps.put(e.topic(), new Gap(e.topic(), e.seq()));
    } else {
      g.extend(e.seq());
    }
  }

  private void dropNewest(ChangeEvent e) {
    droppedEvents++;
    Gap g = tailGaps.get(e.topic());
    if (g == null) {
      g = new Gap(e.topic(), e.seq());
      queue.addLast(g);
      tailGaps.put(e.topic(), g);
    } else {
      g.extend(e.seq());
    }
  }

  private void afterChange() {
    double fill = fill();
    if (fill >= limits.warn()) {
      if (warnArmed) {
        warnArmed = false;
        warningDue = true;
      }
    } else {
      warnArmed = true;
    }
    // Called on every change of fill, so a dip starts when the fill really falls, not when an
    // event next happens to arrive.
    if (fill >= limits.disconnect()) {
      long now = clock.millis();
      if (overDisconnectSince < 0 || (dipSince >= 0 && now - dipSince > DIP_TOLERANCE_MS)) {
        overDisconnectSince = now;
      }
      dipSince = -1;
    } else if (overDisconnectSince >= 0 && dipSince < 0) {
      dipSince = clock.millis();
    }
  }

  /** A run of dropped changes of one topic; mutable only while it waits in the buffer. */
  private static final class Gap {
    final String topic;
    final long from;
    long to;
    long count;

    Gap(String topic, long seq) {
      this.topic = topic;
      this.from = seq;
      this.to = seq;
      this.count = 1;
    }

    void extend(long seq) {
      to = seq;
      count++;
    }
  }
}
