package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

/**
 * The queue of the {@code drop-oldest} policy: a full buffer drops its oldest events until the new
 * one fits, and a {@code dropped} marker per topic takes their place ahead of everything still
 * queued (docs/protocol.md §6).
 *
 * <p>Confined to its buffer's thread.
 *
 * <p>A topic's dropped events are always its oldest queued ones, so they form one range: its
 * marker stands before all of its events, and the markers of all topics stand before all events,
 * in the order they opened. Dropping an event of a topic that has a marker merges into it and frees
 * a whole entry; dropping the first event of a topic opens a marker in its place, which frees no
 * entry, so the policy drops one more event into it (or into another marker) to make room. An event
 * that would not fit even with every older event dropped is dropped too, after the fewest oldest
 * events that leave none of its topic queued (its marker must stand before its topic's events) and
 * make room for its marker. When not even that fits, the event is refused and nothing changes.
 */
final class DropOldestQueue extends PendingQueue {

  /** {@link #plan}: refuse the event, not even the markers of everything queued would fit. */
  private static final long REFUSE = Long.MIN_VALUE;

  /** The queued events, oldest first. Bound: counted in {@link #entries}. */
  private final ArrayDeque<ChangeEvent> events = new ArrayDeque<>();
  /**
   * The markers, in the order they opened; all stand before every queued event. Bound: at most one
   * per topic, and counted in {@link #entries}.
   */
  private final ArrayDeque<Gap> headGaps = new ArrayDeque<>();
  /** {@link #headGaps} by topic. */
  private final Map<String, Gap> headGapOf = new HashMap<>();
  /**
   * Scratch of {@link #plan}: topics whose first drop in the plan opens a marker. Empty between
   * calls; bound: the topics of the queued events.
   */
  private final HashSet<String> opened = new HashSet<>();

  DropOldestQueue(BufferLimits limits) {
    super(limits);
  }

  @Override
  OfferOutcome offer(ChangeEvent e) {
    if (fits(1, e.size())) {
      append(e);
      return OfferOutcome.ACCEPTED;
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
      drop(oldest);
    }
    if (dropsNew) {
      drop(e);
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
      if (headGapOf.containsKey(oldest.topic()) || !opened.add(oldest.topic())) {
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
    boolean merges = headGapOf.containsKey(e.topic()) || opened.contains(e.topic());
    return merges
        ? within(slots - 1, size - e.size())
        : within(slots, size - e.size() + ClientBuffer.MARKER_BYTES);
  }

  private void append(ChangeEvent e) {
    events.addLast(e);
    countEventIn(e);
  }

  /** Accounts for {@code e}, no longer queued, in its topic's marker. */
  private void drop(ChangeEvent e) {
    countDrop(DropReason.BUFFER_FULL);
    Gap g = headGapOf.get(e.topic());
    if (g != null) {
      // Its topic's oldest queued seq, so the one after the marker's range.
      g.to = e.seq();
      return;
    }
    g = new Gap(e.topic(), e.seq());
    headGapOf.put(e.topic(), g);
    headGaps.addLast(g);
    countMarkerIn();
  }

  @Override
  Object poll() {
    Gap g = headGaps.pollFirst();
    if (g != null) {
      headGapOf.remove(g.topic);
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
    Gap g = headGapOf.remove(topic);
    if (g != null) {
      headGaps.removeFirstOccurrence(g);
      countMarkerOut();
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
    check(headGapOf.size() == headGaps.size(), "one marker per topic, indexed by topic");
    // Per topic, the seq its next entry must carry: its entries tile consecutive seqs.
    Map<String, Long> next = new HashMap<>();
    for (Gap g : headGaps) {
      check(g.from <= g.to, "a marker names at least one seq");
      check(headGapOf.get(g.topic) == g, "the marker index names the queued marker");
      next.put(g.topic, g.to + 1);
    }
    long eventBytes = 0;
    for (ChangeEvent e : events) {
      Long expected = next.put(e.topic(), e.seq() + 1);
      check(expected == null || expected == e.seq(), "a topic's marker and events tile its seqs");
      eventBytes += e.size();
    }
    checkTotals(events.size(), eventBytes, headGaps.size());
  }
}
