package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The entries of one {@link ClientBuffer}, live events and the {@code dropped} and {@code
 * conflated} markers between them, together with the drop policy that makes room for a new event:
 * one subclass per {@link DropPolicy}.
 *
 * <p>Confined to its buffer's thread, like the buffer.
 *
 * <p>Accounting (docs/protocol.md §6): events and markers are both entries and both count against
 * {@code buffer.max}; an event weighs its frame size against {@code buffer.maxBytes}, a marker
 * {@link ClientBuffer#MARKER_BYTES}. Every call leaves {@link #entries} and {@link #bytes} within
 * the bounds. Since dropping an event may cost a marker, a policy plans its drops before it makes
 * any; when no drop it could still name makes room, it refuses the event ({@link
 * OfferOutcome#DISCONNECT}) and changes nothing.
 */
abstract class PendingQueue {

  /**
   * The entries this queue may hold: the buffer's effective bound, or what is queued while that
   * is smaller ({@link ClientBuffer#effectiveMax}); changed only by {@link #rebound}.
   */
  int maxEntries;

  /** The bytes this queue may hold, likewise; changed only by {@link #rebound}. */
  long maxBytes;

  /** Events and markers waiting. */
  int entries;

  /** Frame bytes of the waiting events plus {@link ClientBuffer#MARKER_BYTES} per marker. */
  long bytes;

  /** Markers waiting. */
  int markers;

  /** Events dropped since the queue was made; history, so never reset. */
  long droppedEvents;

  /** {@link #droppedEvents} by {@link DropReason}, indexed by ordinal; history too. */
  final long[] droppedBy = new long[DropReason.values().length];

  /** Events a newer event of their key replaced (conflate); history, so never reset. */
  long conflatedEvents;

  /** Counts one event dropped for {@code reason}. */
  final void countDrop(DropReason reason) {
    droppedEvents++;
    droppedBy[reason.ordinal()]++;
  }

  PendingQueue(BufferLimits limits) {
    this.maxEntries = limits.maxEvents();
    this.maxBytes = limits.maxBytes();
  }

  /** The queue of {@code limits.policy()}; {@code clock} times {@code by-age}. */
  static PendingQueue of(BufferLimits limits, Clock clock) {
    switch (limits.policy()) {
      case DROP_OLDEST:
        return new DropOldestQueue(limits, false);
      case DROP_NEWEST:
        return new DropNewestQueue(limits);
      case DISCONNECT:
        return new DropOldestQueue(limits, true);
      case CONFLATE:
        return new ConflateQueue(limits);
      case BY_AGE:
        return new ByAgeQueue(limits, clock);
      case PRIORITY:
        return new TopicPriorityQueue(limits);
      case SAMPLE:
        return new SampleQueue(limits);
      default:
        throw new IllegalArgumentException(
            "buffer.policy " + limits.policy().wireName() + " is not supported by this buffer");
    }
  }

  /**
   * Takes other bounds, which what is queued already fits: so the bounds hold before and after, and
   * no policy needs to act. A bound at what is queued makes the queue full, so the next offer meets
   * the policy.
   */
  final void rebound(int maxEntries, long maxBytes) {
    if (entries > maxEntries || bytes > maxBytes) {
      throw new IllegalStateException("rebound to bounds the queued entries do not fit");
    }
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /** Queues {@code e}, or applies the policy when it does not fit. */
  abstract OfferOutcome offer(ChangeEvent e);

  /**
   * Drops the oldest queued events for {@code reason}, each into a marker where it stood, until the
   * bytes have fallen by at least {@code target} (budget shedding, docs/protocol.md §6). Stops
   * early when no event is left, or when the next drop would take the bytes past their bound (an
   * event smaller than a marker that opens one). Never adds an entry.
   *
   * @return the bytes freed; 0 when nothing could be shed
   */
  final long shed(long target, DropReason reason) {
    long before = bytes;
    while (before - bytes < target && shedOldest(reason)) {
      // Each call drops one event, so the loop ends after at most the queued events.
    }
    return before - bytes;
  }

  /**
   * Drops the oldest queued event for {@code reason} into the markers of its topic (joining a
   * touching marker of the same reason, else a new one in its place), if the bytes stay within
   * their bound.
   *
   * @return false when no event is queued or its drop would not fit; nothing changed then
   */
  abstract boolean shedOldest(DropReason reason);

  /** Takes the oldest entry off: a {@link ChangeEvent} or a {@link Gap}; null when empty. */
  abstract Object poll();

  abstract boolean isEmpty();

  /** Removes every event and marker of {@code topic}. */
  abstract void discardTopic(String topic);

  /** Removes every entry. */
  final void clear() {
    clearEntries();
    entries = 0;
    bytes = 0;
    markers = 0;
  }

  abstract void clearEntries();

  /**
   * Recounts the entries and checks the policy's own structure.
   *
   * @throws IllegalStateException naming the broken invariant
   */
  abstract void checkInvariants();

  /** Whether the queue would stay within both bounds with {@code more} entries of {@code size}. */
  final boolean fits(int more, long size) {
    return within(entries + more, bytes + size);
  }

  /** Whether {@code entries} entries weighing {@code bytes} are within both bounds. */
  final boolean within(long entries, long bytes) {
    return entries <= maxEntries && bytes <= maxBytes;
  }

  final void countEventIn(ChangeEvent e) {
    entries++;
    bytes += e.size();
  }

  final void countEventOut(ChangeEvent e) {
    entries--;
    bytes -= e.size();
  }

  final void countMarkerIn() {
    entries++;
    markers++;
    bytes += ClientBuffer.MARKER_BYTES;
  }

  final void countMarkerOut() {
    entries--;
    markers--;
    bytes -= ClientBuffer.MARKER_BYTES;
  }

  /** Removes the events of {@code topic} from {@code events}, counting them out. O(events). */
  final void discardEvents(ArrayDeque<ChangeEvent> events, String topic) {
    Iterator<ChangeEvent> it = events.iterator();
    while (it.hasNext()) {
      ChangeEvent e = it.next();
      if (e.topic().equals(topic)) {
        it.remove();
        countEventOut(e);
      }
    }
  }

  /** Checks the counters against a recount, and the bounds. */
  final void checkTotals(int events, long eventBytes, int gaps) {
    check(markers == gaps, "markers counts the queued markers");
    check(entries == events + gaps, "entries counts the queued events and markers");
    check(
        bytes == eventBytes + (long) gaps * ClientBuffer.MARKER_BYTES,
        "bytes sums the queued events and MARKER_BYTES per marker");
    check(entries <= maxEntries, "entries within buffer.max");
    check(bytes <= maxBytes, "bytes within buffer.maxBytes");
  }

  static void check(boolean ok, String invariant) {
    if (!ok) {
      throw new IllegalStateException("ClientBuffer invariant broken: " + invariant);
    }
  }
}
