package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The queue of the {@code drop-newest} policy: a full buffer refuses the new event, and a {@code
 * dropped} marker names it after its topic's last queued event (docs/protocol.md §6).
 *
 * <p>Confined to its buffer's thread.
 *
 * <p>Markers stand in the queue between events. Ranges of one topic with none of its events between
 * them are adjacent and merge, whatever other topics queued in between: a drop whose topic's last
 * entry is a marker extends it at no cost. Otherwise the drop needs a new marker, and when there is
 * no room for one the policy drops more events into it, newest first: each becomes or joins a
 * marker of its topic, and joins the markers on both sides of it, until the markers fit. When not
 * even the markers of every queued event fit, the event is refused and nothing changes.
 *
 * <p>A marker may stand later in the queue than the first event it names, but never past an event
 * of its own topic: per topic, the stream keeps its order exactly.
 *
 * <p>Budget shedding ({@link #shedOldest}) drops the oldest events instead, each into a marker of
 * its reason where it stood; the policy's own drops join only markers of reason {@code buffer}, so
 * markers of different reasons stay apart.
 */
final class DropNewestQueue extends PendingQueue {

  /** Stands for "no marker" in {@link #planned}, which cannot hold null; never queued. */
  private static final Gap NO_GAP = new Gap("", 0);

  /** Events and markers, in stream order. Bound: counted in {@link #entries}. */
  private final ArrayDeque<Object> queue = new ArrayDeque<>();

  /**
   * Each topic's last queued marker, the end of its chain ({@link Gap#prev}). Bound: one per topic
   * with a queued marker, so at most {@link #markers}.
   */
  private final Map<String, Gap> lastGapOf = new HashMap<>();

  /**
   * Scratch of {@link #plan}: per topic the plan dropped from, its nearest marker not yet joined,
   * or {@link #NO_GAP}. Empty between calls; bound: the topics of the queued events.
   */
  private final Map<String, Gap> planned = new HashMap<>();

  /**
   * Scratch of {@link #shedOldest}: the markers before the oldest event, while a marker goes in
   * behind them. Empty between calls; bound: {@link #markers}.
   */
  private final ArrayDeque<Object> scratch = new ArrayDeque<>();

  DropNewestQueue(BufferLimits limits) {
    super(limits);
  }

  @Override
  OfferOutcome offer(ChangeEvent e) {
    if (fits(1, e.size())) {
      queue.addLast(e);
      countEventIn(e);
      return OfferOutcome.ACCEPTED;
    }
    Gap last = lastGapOf.get(e.topic());
    if (last != null && last.reason == DropReason.BUFFER_FULL && last.to + 1 == e.seq()) {
      // The topic's last entry is this marker: no event of it since, so the range continues.
      last.to = e.seq();
      countDrop(DropReason.BUFFER_FULL);
      return OfferOutcome.DROPPED;
    }
    int victims = 0;
    if (!fits(1, ClientBuffer.MARKER_BYTES)) {
      victims = plan(e, last);
      if (victims < 0) {
        return OfferOutcome.DISCONNECT;
      }
    }
    openGap(e.topic(), e.seq());
    for (int i = 0; i < victims; i++) {
      dropNewestEvent();
    }
    return OfferOutcome.DROPPED;
  }

  /**
   * How many of the newest events must be dropped for the marker of {@code e} to fit, without
   * changing anything; -1 when not even dropping all of them does it. Mirrors {@link
   * #dropNewestEvent}. O(entries walked).
   *
   * @param last the last queued marker of the topic of {@code e}, null if none
   */
  private int plan(ChangeEvent e, Gap last) {
    // The state with e's marker queued and the k newest events dropped.
    long slots = entries + 1;
    long size = bytes + ClientBuffer.MARKER_BYTES;
    planned.put(e.topic(), last == null ? NO_GAP : last);
    int k = 0;
    int plan = -1;
    Iterator<Object> it = queue.descendingIterator();
    while (it.hasNext()) {
      Object o = it.next();
      if (!(o instanceof ChangeEvent)) {
        continue;
      }
      ChangeEvent newest = (ChangeEvent) o;
      k++;
      Gap before = planned.get(newest.topic());
      if (before != null) {
        // Its topic's range dropped after it, in this plan, continues into it.
        slots--;
        size -= newest.size();
      } else {
        Gap after = after(newest);
        if (after != null) {
          slots--;
          size -= newest.size();
        } else {
          size += ClientBuffer.MARKER_BYTES - newest.size();
        }
        before = before(newest, after);
      }
      if (joins(before, newest)) {
        // The marker before it now touches the range: they merge.
        slots--;
        size -= ClientBuffer.MARKER_BYTES;
        before = before.prev == null ? NO_GAP : before.prev;
      }
      planned.put(newest.topic(), before);
      if (within(slots, size)) {
        plan = k;
        break;
      }
    }
    planned.clear();
    return plan;
  }

  /**
   * The marker of reason {@code buffer} right after {@code e}, the last event of its topic, if one
   * names the next seq.
   */
  private Gap after(ChangeEvent e) {
    Gap last = lastGapOf.get(e.topic());
    return last != null && last.reason == DropReason.BUFFER_FULL && last.from == e.seq() + 1
        ? last
        : null;
  }

  /** Whether {@code before}, a marker or {@link #NO_GAP}, of reason {@code buffer} touches e. */
  private static boolean joins(Gap before, ChangeEvent e) {
    return before != NO_GAP && before.reason == DropReason.BUFFER_FULL && before.to + 1 == e.seq();
  }

  /**
   * The nearest marker before {@code e}, the last event of its topic, or {@link #NO_GAP}.
   *
   * @param after the marker right after {@code e}, or null
   */
  private Gap before(ChangeEvent e, Gap after) {
    Gap before = after != null ? after.prev : lastGapOf.get(e.topic());
    return before == null ? NO_GAP : before;
  }

  /** Drops the newest queued event into the markers of its topic. */
  private void dropNewestEvent() {
    Iterator<Object> it = queue.descendingIterator();
    Object o = it.next();
    while (!(o instanceof ChangeEvent)) {
      o = it.next();
    }
    it.remove();
    ChangeEvent newest = (ChangeEvent) o;
    countEventOut(newest);
    Gap after = after(newest);
    Gap before = before(newest, after);
    boolean joinsBefore = joins(before, newest);
    if (after != null && joinsBefore) {
      before.to = after.to;
      before.next = null;
      lastGapOf.put(newest.topic(), before);
      queue.removeLastOccurrence(after);
      countMarkerOut();
      countDrop(DropReason.BUFFER_FULL);
    } else if (after != null) {
      after.from = newest.seq();
      countDrop(DropReason.BUFFER_FULL);
    } else if (joinsBefore) {
      before.to = newest.seq();
      countDrop(DropReason.BUFFER_FULL);
    } else {
      // Nothing of its topic follows it, so its marker may stand at the very end.
      openGap(newest.topic(), newest.seq());
    }
  }

  @Override
  boolean shedOldest(DropReason reason) {
    // The oldest event stands after the leading markers; its topic's marker before it, if any,
    // is the last of them of its topic and names the seq before (a topic's entries tile its seqs).
    ChangeEvent oldest = null;
    Gap prev = null;
    int leading = 0;
    for (Object o : queue) {
      if (o instanceof ChangeEvent) {
        oldest = (ChangeEvent) o;
        break;
      }
      leading++;
    }
    if (oldest == null) {
      return false;
    }
    String topic = oldest.topic();
    long seq = oldest.seq();
    Iterator<Object> it = queue.iterator();
    for (int i = 0; i < leading; i++) {
      Gap g = (Gap) it.next();
      if (g.topic.equals(topic)) {
        prev = g;
      }
    }
    Gap next = prev != null ? prev.next : firstGapOf(topic);
    boolean joinsPrev = prev != null && prev.reason == reason && prev.to + 1 == seq;
    boolean joinsNext = next != null && next.reason == reason && next.from == seq + 1;
    long size =
        bytes
            - oldest.size()
            + (joinsPrev && joinsNext
                ? -ClientBuffer.MARKER_BYTES
                : joinsPrev || joinsNext ? 0 : ClientBuffer.MARKER_BYTES);
    if (size > maxBytes) {
      return false;
    }
    countEventOut(oldest);
    countDrop(reason);
    if (joinsPrev || joinsNext) {
      it.next();
      it.remove();
      if (joinsPrev && joinsNext) {
        prev.to = next.to;
        unlinkGap(next);
        queue.removeFirstOccurrence(next);
        countMarkerOut();
      } else if (joinsPrev) {
        prev.to = seq;
      } else {
        // The marker stands later than this seq did, but no event of its topic stands between.
        next.from = seq;
      }
      return true;
    }
    // A new marker where the event stood: behind the leading markers, which go back in front.
    for (int i = 0; i <= leading; i++) {
      scratch.addLast(queue.pollFirst());
    }
    scratch.pollLast();
    Gap g = new Gap(topic, seq, seq, reason);
    queue.addFirst(g);
    while (!scratch.isEmpty()) {
      queue.addFirst(scratch.pollLast());
    }
    g.prev = prev;
    g.next = next;
    if (prev != null) {
      prev.next = g;
    }
    if (next != null) {
      next.prev = g;
    } else {
      lastGapOf.put(topic, g);
    }
    countMarkerIn();
    return true;
  }

  /** The first queued marker of {@code topic}, or null. O(its markers). */
  private Gap firstGapOf(String topic) {
    Gap g = lastGapOf.get(topic);
    while (g != null && g.prev != null) {
      g = g.prev;
    }
    return g;
  }

  /** Takes {@code g} out of its topic's chain of markers (not out of the queue). */
  private void unlinkGap(Gap g) {
    if (g.prev != null) {
      g.prev.next = g.next;
    }
    if (g.next != null) {
      g.next.prev = g.prev;
    } else if (g.prev != null) {
      lastGapOf.put(g.topic, g.prev);
    } else {
      lastGapOf.remove(g.topic);
    }
    g.prev = null;
    g.next = null;
  }

  /** Queues a new marker for {@code topic:seq} at the end, as its topic's last. */
  private void openGap(String topic, long seq) {
    Gap g = new Gap(topic, seq);
    Gap last = lastGapOf.put(topic, g);
    if (last != null) {
      last.next = g;
      g.prev = last;
    }
    queue.addLast(g);
    countMarkerIn();
    countDrop(DropReason.BUFFER_FULL);
  }

  @Override
  Object poll() {
    Object o = queue.pollFirst();
    if (o instanceof ChangeEvent) {
      countEventOut((ChangeEvent) o);
    } else if (o != null) {
      // The first marker of its topic in stream order.
      Gap g = (Gap) o;
      if (g.next != null) {
        g.next.prev = null;
        g.next = null;
      } else {
        lastGapOf.remove(g.topic);
      }
      countMarkerOut();
    }
    return o;
  }

  @Override
  boolean isEmpty() {
    return queue.isEmpty();
  }

  @Override
  void discardTopic(String topic) {
    lastGapOf.remove(topic);
    Iterator<Object> it = queue.iterator();
    while (it.hasNext()) {
      Object o = it.next();
      if (o instanceof ChangeEvent) {
        ChangeEvent e = (ChangeEvent) o;
        if (e.topic().equals(topic)) {
          it.remove();
          countEventOut(e);
        }
      } else if (((Gap) o).topic.equals(topic)) {
        it.remove();
        countMarkerOut();
      }
    }
  }

  @Override
  void clearEntries() {
    queue.clear();
    lastGapOf.clear();
  }

  @Override
  void checkInvariants() {
    check(planned.isEmpty() && scratch.isEmpty(), "the scratches are empty between calls");
    // Per topic: the seq its next entry must carry, and its last marker if that is its last entry.
    Map<String, Long> next = new HashMap<>();
    Map<String, Gap> lastGap = new HashMap<>();
    Map<String, Boolean> endsInGap = new HashMap<>();
    int events = 0;
    int gaps = 0;
    long eventBytes = 0;
    for (Object o : queue) {
      String topic;
      long from;
      long to;
      if (o instanceof ChangeEvent) {
        ChangeEvent e = (ChangeEvent) o;
        topic = e.topic();
        from = e.seq();
        to = e.seq();
        events++;
        eventBytes += e.size();
        endsInGap.put(topic, false);
      } else {
        Gap g = (Gap) o;
        topic = g.topic;
        from = g.from;
        to = g.to;
        gaps++;
        check(g.from <= g.to, "a marker names at least one seq");
        Gap prev = lastGap.put(topic, g);
        check(
            !endsInGap.getOrDefault(topic, false) || prev.reason != g.reason,
            "adjacent ranges of one topic and reason merge (no event of it between two of its"
                + " markers)");
        check(g.prev == prev, "a marker links to the previous marker of its topic");
        check(prev == null || prev.next == g, "a marker links to the next marker of its topic");
        endsInGap.put(topic, true);
      }
      Long expected = next.put(topic, to + 1);
      check(expected == null || expected == from, "a topic's events and markers tile its seqs");
    }
    check(lastGap.equals(lastGapOf), "the last-marker index names each topic's last marker");
    for (Gap g : lastGap.values()) {
      check(g.next == null, "a topic's last marker links to no next one");
    }
    checkTotals(events, eventBytes, gaps);
  }
}
