package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;

/**
 * The queue of the {@code drop-oldest} policy: a full buffer drops its oldest events until the new
 * one fits, and a {@code dropped} marker per topic takes their place ahead of everything still
 * queued (docs/protocol.md §6). Also the queue of the {@code disconnect} policy, which refuses the
 * event that does not fit instead of dropping (the connection closes 4001): both drop only the
 * oldest events, the one when full, both when the node sheds for its budget ({@link #shedOldest}).
 *
 * <p>Confined to its buffer's thread.
 *
 * <p>A topic's dropped events are always its oldest queued ones, so its markers stand before its
 * events, and the markers of all topics stand before all events, in the order they opened. A topic
 * has one marker per run of drops of one reason: a drop for the reason of its last marker merges
 * into it and frees a whole entry; any other drop of a topic opens a marker in its place, which
 * frees no entry, so the policy drops one more event into it (or into another marker) to make room.
 * An event that would not fit even with every older event dropped is dropped too, after the fewest
 * oldest events that leave none of its topic queued (its marker must stand before its topic's
 * events) and make room for its marker. When not even that fits, the event is refused and nothing
 * changes.
 */
final class DropOldestQueue extends PendingQueue {

  /** {@link #plan}: refuse the event, not even the markers of everything queued would fit. */
  private static final long REFUSE = Long.MIN_VALUE;

  /** The queued events, oldest first. Bound: counted in {@link #entries}. */
  private final ArrayDeque<ChangeEvent> events = new ArrayDeque<>();

  /**
   * The markers, in the order they opened; all stand before every queued event. Bound: counted in
   * {@link #entries}.
   */
  private final ArrayDeque<Gap> headGaps = new ArrayDeque<>();

  /**
   * Each topic's last marker in {@link #headGaps}, the one right before its oldest queued event.
   * Bound: one per topic with a queued marker.
   */
  private final Map<String, Gap> headGapOf = new HashMap<>();

  /**
   * Scratch of {@link #plan}: topics whose first drop in the plan opens a marker. Empty between
   * calls; bound: the topics of the queued events.
   */
  private final HashSet<String> opened = new HashSet<>();

  /** Whether a full buffer refuses the event ({@code disconnect}) rather than dropping. */
  private final boolean refuses;

  DropOldestQueue(BufferLimits limits, boolean refuses) {
    super(limits);
    this.refuses = refuses;
  }

  @Override
  OfferOutcome offer(ChangeEvent e) {
    if (fits(1, e.size())) {
      append(e);
      return OfferOutcome.ACCEPTED;
    }
    if (refuses) {
      return OfferOutcome.DISCONNECT;
    }
    long plan = plan(e);
    if (plan == REFUSE) {
      return OfferOutcome.DISCONNECT;
    }
    boolean dropsNew = plan < 0;
    long victims = dropsNew ? -plan - 1 : plan;
    for (long i = 0; i < victims; i++) {
      ChangeEvent oldest = events.pollFirst();
      countEventOut(oldest);
      drop(oldest, DropReason.BUFFER_FULL);
    }
    if (dropsNew) {
      drop(e, DropReason.BUFFER_FULL);
    } else {
      append(e);
    }
    return OfferOutcome.DROPPED;
  }

  /**
   * Decides, without changing anything, how many of the oldest events go: the fewest after which
   * {@code e} fits (returned as is, at least 1); else the fewest after which no event of its topic
   * is left before the marker of {@code e} and that marker fits ({@code -count - 1}); else {@link
   * #REFUSE}. O(events dropped), O(events) when {@code e} cannot fit.
   */
  private long plan(ChangeEvent e) {
    String topic = e.topic();
    // The state with e accepted and the first k events dropped.
    long slots = entries + 1;
    long size = bytes + e.size();
    long k = 0;
    long dropNew = fitsWithoutNew(slots, size, e) ? 0 : -1;
    long plan = REFUSE;
    for (ChangeEvent oldest : events) {
      k++;
      if (mergesInto(oldest.topic(), DropReason.BUFFER_FULL) || !opened.add(oldest.topic())) {
        slots--;
        size -= oldest.size();
      } else {
        size += ClientBuffer.MARKER_BYTES - oldest.size();
      }
      if (within(slots, size)) {
        plan = k;
        break;
      }
      if (oldest.topic().equals(topic)) {
        dropNew = -1; // the marker of e cannot stand before this one
      }
      if (dropNew < 0 && fitsWithoutNew(slots, size, e)) {
        dropNew = k;
      }
    }
    if (plan == REFUSE && dropNew >= 0) {
      plan = -dropNew - 1;
    }
    opened.clear();
    return plan;
  }

  /** Whether the planned state fits with {@code e} dropped, not accepted, into a marker. */
  private boolean fitsWithoutNew(long slots, long size, ChangeEvent e) {
    boolean merges = mergesInto(e.topic(), DropReason.BUFFER_FULL) || opened.contains(e.topic());
    return merges
        ? within(slots - 1, size - e.size())
        : within(slots, size - e.size() + ClientBuffer.MARKER_BYTES);
  }

  /** Whether a drop of {@code topic}'s oldest event for {@code reason} joins its last marker. */
  private boolean mergesInto(String topic, DropReason reason) {
    Gap g = headGapOf.get(topic);
    return g != null && g.reason == reason;
  }

  @Override
  boolean shedOldest(DropReason reason) {
    ChangeEvent oldest = events.peekFirst();
    if (oldest == null) {
      return false;
    }
    boolean merges = mergesInto(oldest.topic(), reason);
    long size = bytes - oldest.size() + (merges ? 0 : ClientBuffer.MARKER_BYTES);
    if (size > maxBytes) {
      return false;
    }
    events.pollFirst();
    countEventOut(oldest);
    drop(oldest, reason);
    return true;
  }

  private void append(ChangeEvent e) {
    events.addLast(e);
    countEventIn(e);
  }

  /** Accounts for {@code e}, no longer queued, in its topic's last marker if of {@code reason}. */
  private void drop(ChangeEvent e, DropReason reason) {
    countDrop(reason);
    Gap g = headGapOf.get(e.topic());
    if (g != null && g.reason == reason) {
      // Its topic's oldest queued seq, so the one after the marker's range.
      g.to = e.seq();
      return;
    }
    g = new Gap(e.topic(), e.seq(), e.seq(), reason);
    headGapOf.put(e.topic(), g);
    headGaps.addLast(g);
    countMarkerIn();
  }

  @Override
  Object poll() {
    Gap g = headGaps.pollFirst();
    if (g != null) {
      // Markers of a topic go out in the order they opened, so the last goes last.
      headGapOf.remove(g.topic, g);
      countMarkerOut();
      return g;
    }
    ChangeEvent e = events.pollFirst();
    if (e != null) {
      countEventOut(e);
    }
    return e;
  }

  @Override
  boolean isEmpty() {
    return events.isEmpty() && headGaps.isEmpty();
  }

  @Override
  void discardTopic(String topic) {
    if (headGapOf.remove(topic) != null) {
      Iterator<Gap> it = headGaps.iterator();
      while (it.hasNext()) {
        if (it.next().topic.equals(topic)) {
          it.remove();
          countMarkerOut();
        }
      }
    }
    discardEvents(events, topic);
  }

  @Override
  void clearEntries() {
    events.clear();
    headGaps.clear();
    headGapOf.clear();
  }

  @Override
  void checkInvariants() {
    check(opened.isEmpty(), "the plan's scratch is empty between calls");
    // Per topic, the seq its next entry must carry: its entries tile consecutive seqs.
    Map<String, Long> next = new HashMap<>();
    Map<String, Gap> last = new HashMap<>();
    for (Gap g : headGaps) {
      check(g.from <= g.to, "a marker names at least one seq");
      Gap before = last.put(g.topic, g);
      check(
          before == null || before.reason != g.reason,
          "touching markers of one topic and reason merge");
      Long expected = next.put(g.topic, g.to + 1);
      check(expected == null || expected == g.from, "a topic's markers tile its seqs");
    }
    check(last.equals(headGapOf), "the marker index names each topic's last marker");
    long eventBytes = 0;
    for (ChangeEvent e : events) {
      Long expected = next.put(e.topic(), e.seq() + 1);
      check(expected == null || expected == e.seq(), "a topic's marker and events tile its seqs");
      eventBytes += e.size();
    }
    checkTotals(events.size(), eventBytes, headGaps.size());
  }
}
