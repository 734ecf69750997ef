package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.topic.ChangeEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * The entries of the policies that drop from anywhere in the stream ({@code conflate}, {@code
 * by-age}, {@code priority}, {@code sample}): a doubly linked list of events and markers in stream
 * order, each node also linked into its topic's chain, so that any event can be dropped into the
 * markers around it in O(1).
 *
 * <p>Confined to its buffer's thread.
 *
 * <p>Dropping an event (see {@link #dropEvent}) joins it to the {@code dropped} marker of the same
 * reason right before or after it in its topic's chain when their ranges touch (both, and the two
 * markers merge), or turns its node into a new marker in place. So a drop never adds an entry; it
 * adds {@link ClientBuffer#MARKER_BYTES} less the event's size when it opens a marker, and a policy
 * drops only what keeps the bytes within {@code buffer.maxBytes} ({@link #tryDrop}): every call
 * leaves the queue within both bounds. A compacted run ({@code conflated} marker, reason null) is
 * split when its first survivor is dropped: the marker becomes the {@code dropped} marker of the
 * run up to that survivor, and the survivor's node the {@code conflated} marker of the rest (none
 * when the rest replaced nothing).
 *
 * <p>Unlike {@link DropOldestQueue}, these policies do not plan before dropping: when not even
 * dropping every pending event and then the new one makes room, the offer is refused ({@link
 * OfferOutcome#DISCONNECT}) after the drops it made, which stay accounted for by markers (the
 * connection closes 4001 anyway).
 *
 * <p>Nodes are recycled through a small free list ({@link #POOL_MAX}), so a busy buffer does not
 * allocate a node per event.
 */
abstract class ChainQueue extends PendingQueue {

  /** Bound of the free list of nodes: enough for a steady stream, little for an idle buffer. */
  static final int POOL_MAX = 64;

  /** An event or a marker in the stream, and in its topic's chain. */
  static final class Node {
    /** The event; null for a marker. */
    ChangeEvent event;

    /** The marker; null for an event. */
    Gap gap;

    /** Position in the stream: increases with every appended event. */
    long order;

    /** When the event was queued, clock millis ({@code by-age} only). */
    long at;

    /**
     * A survivor of a compacted run whose marker has gone out (or the marker it was dropped into):
     * it can no longer be conflated, and the seqs before it may skip those the run replaced.
     */
    boolean sealed;

    Node prev;
    Node next;
    Node topicPrev;
    Node topicNext;
    Chain chain;

    long from() {
      return event != null ? event.seq() : gap.from;
    }

    long to() {
      return event != null ? event.seq() : gap.to;
    }
  }

  /** One topic's nodes, in stream order. */
  static class Chain {
    final String topic;
    Node first;
    Node last;

    /** Events (not markers) in the chain. */
    int events;

    /** The chain's {@code conflated} marker still queued, if any: at most one per topic. */
    Node conflated;

    /** Under {@code priority}: the topic's priority. */
    int priority;

    Chain(String topic) {
      this.topic = topic;
    }
  }

  /** Oldest entry. Bound: the queue's nodes are its entries, counted in {@link #entries}. */
  Node head;

  Node tail;

  /** Chains by topic. Bound: one per topic with queued entries. */
  final Map<String, Chain> chains = new HashMap<>();

  private Node pool;
  private int pooled;
  private long nextOrder;

  ChainQueue(BufferLimits limits) {
    super(limits);
  }

  /** A chain for a topic seen for the first time; subclasses keep more per topic. */
  Chain newChain(String topic) {
    return new Chain(topic);
  }

  /** Called once {@code n}, an event, is queued at the tail. */
  void eventAppended(Chain c, Node n) {}

  /** Called just before {@code n}, an event, leaves the queue (polled, dropped or conflated). */
  void eventRemoving(Chain c, Node n) {}

  /** Called just before {@code n}, a marker, is polled. */
  void markerPolling(Chain c, Node n) {}

  /** The time stamped on appended events; 0 unless a policy needs it. */
  long now() {
    return 0;
  }

  // ------------------------------------------------------------------ structure

  final Chain chainOf(String topic) {
    Chain c = chains.get(topic);
    if (c == null) {
      c = newChain(topic);
      chains.put(topic, c);
    }
    return c;
  }

  private Node take() {
    Node n = pool;
    if (n == null) {
      return new Node();
    }
    pool = n.next;
    n.next = null;
    pooled--;
    return n;
  }

  private void release(Node n) {
    n.event = null;
    n.gap = null;
    n.sealed = false;
    n.prev = null;
    n.topicPrev = null;
    n.topicNext = null;
    n.chain = null;
    n.next = null;
    if (pooled < POOL_MAX) {
      n.next = pool;
      pool = n;
      pooled++;
    }
  }

  /** Queues {@code e} at the tail. */
  final void append(ChangeEvent e) {
    Node n = take();
    n.event = e;
    n.order = nextOrder++;
    n.at = now();
    Chain c = chainOf(e.topic());
    linkLast(c, n);
    c.events++;
    countEventIn(e);
    eventAppended(c, n);
  }

  private void linkLast(Chain c, Node n) {
    n.chain = c;
    n.prev = tail;
    if (tail == null) {
      head = n;
    } else {
      tail.next = n;
    }
    tail = n;
    n.topicPrev = c.last;
    if (c.last == null) {
      c.first = n;
    } else {
      c.last.topicNext = n;
    }
    c.last = n;
  }

  /** Links the marker {@code n} right before {@code at}, in the stream and in its topic. */
  final void linkBefore(Node at, Node n) {
    Chain c = at.chain;
    n.chain = c;
    n.order = at.order;
    n.next = at;
    n.prev = at.prev;
    if (at.prev == null) {
      head = n;
    } else {
      at.prev.next = n;
    }
    at.prev = n;
    n.topicNext = at;
    n.topicPrev = at.topicPrev;
    if (at.topicPrev == null) {
      c.first = n;
    } else {
      at.topicPrev.topicNext = n;
    }
    at.topicPrev = n;
  }

  /** A new marker node holding {@code g} (not linked). */
  final Node markerNode(Gap g) {
    Node n = take();
    n.gap = g;
    return n;
  }

  private void unlink(Node n) {
    Chain c = n.chain;
    if (n.prev == null) {
      head = n.next;
    } else {
      n.prev.next = n.next;
    }
    if (n.next == null) {
      tail = n.prev;
    } else {
      n.next.prev = n.prev;
    }
    if (n.topicPrev == null) {
      c.first = n.topicNext;
    } else {
      n.topicPrev.topicNext = n.topicNext;
    }
    if (n.topicNext == null) {
      c.last = n.topicPrev;
    } else {
      n.topicNext.topicPrev = n.topicPrev;
    }
    release(n);
  }

  /** Takes the event {@code n} out of the queue, counting it out. */
  final void removeEvent(Node n) {
    Chain c = n.chain;
    eventRemoving(c, n);
    c.events--;
    countEventOut(n.event);
    unlink(n);
  }

  private void removeMarker(Node n) {
    countMarkerOut();
    unlink(n);
  }

  /** Turns the event node {@code x} into the marker {@code g}, in place. */
  private void toMarker(Node x, Gap g) {
    Chain c = x.chain;
    eventRemoving(c, x);
    c.events--;
    countEventOut(x.event);
    // A sealed survivor's marker stays sealed: the seqs before it were counted by a run's marker.
    x.event = null;
    x.gap = g;
    countMarkerIn();
  }

  static boolean isDropped(Node n, DropReason r) {
    return n != null && n.gap != null && n.gap.reason == r;
  }

  static boolean isConflated(Node n) {
    return n != null && n.gap != null && n.gap.reason == null;
  }

  /** Whether the event {@code x} lies in the compacted run of the marker right before it. */
  private static boolean inRunOf(Node x, Node p) {
    return isConflated(p) && p.gap.from <= x.event.seq() && x.event.seq() <= p.gap.to;
  }

  // ------------------------------------------------------------------ dropping

  /** How {@link #dropEvent} would change {@link #bytes}. */
  final long dropBytes(Node x, DropReason r) {
    long seq = x.event.seq();
    Node p = x.topicPrev;
    if (inRunOf(x, p)) {
      boolean restReplacesNothing = p.gap.to - seq == p.gap.kept - 1;
      long d = restReplacesNothing ? -x.event.size() : ClientBuffer.MARKER_BYTES - x.event.size();
      Node pp = p.topicPrev;
      if (isDropped(pp, r) && pp.gap.to + 1 == p.gap.from) {
        d -= ClientBuffer.MARKER_BYTES;
      }
      return d;
    }
    Node n = x.topicNext;
    boolean joinsPrev = isDropped(p, r) && p.gap.to + 1 == seq;
    boolean joinsNext = isDropped(n, r) && n.gap.from == seq + 1;
    if (joinsPrev && joinsNext) {
      return -x.event.size() - ClientBuffer.MARKER_BYTES;
    }
    if (joinsPrev || joinsNext) {
      return -x.event.size();
    }
    return ClientBuffer.MARKER_BYTES - x.event.size();
  }

  /** Drops the event {@code x} for {@code r} if the bytes stay within their bound. */
  final boolean tryDrop(Node x, DropReason r) {
    return tryDrop(x, r, 0);
  }

  /** Drops {@code x} for {@code r} if the bytes stay {@code reserve} below their bound. */
  final boolean tryDrop(Node x, DropReason r, long reserve) {
    if (bytes + dropBytes(x, r) + reserve > maxBytes) {
      return false;
    }
    dropEvent(x, r);
    return true;
  }

  /**
   * Drops the event node {@code x}: into the touching markers of its reason around it in its
   * topic's chain, else into a new marker in its place. Never adds an entry.
   */
  final void dropEvent(Node x, DropReason r) {
    droppedEvents++;
    long seq = x.event.seq();
    Node p = x.topicPrev;
    if (inRunOf(x, p)) {
      splitRun(p, x, r);
      return;
    }
    Node n = x.topicNext;
    boolean joinsPrev = isDropped(p, r) && p.gap.to + 1 == seq;
    boolean joinsNext = isDropped(n, r) && n.gap.from == seq + 1;
    if (joinsPrev && joinsNext) {
      p.gap.to = n.gap.to;
      removeEvent(x);
      removeMarker(n);
    } else if (joinsPrev) {
      p.gap.to = seq;
      removeEvent(x);
    } else if (joinsNext) {
      // The marker stands later than this seq did, but no event of its topic stands between.
      n.gap.from = seq;
      removeEvent(x);
    } else {
      toMarker(x, new Gap(x.chain.topic, seq, seq, r));
    }
  }

  /**
   * Drops {@code x}, the first survivor of the compacted run of {@code c}: the run up to it is
   * dropped (its replaced seqs with it), and the rest of the run is a new {@code conflated} marker
   * where {@code x} stood.
   */
  private void splitRun(Node c, Node x, DropReason r) {
    long seq = x.event.seq();
    Gap run = c.gap;
    Chain chain = c.chain;
    long from = run.from;
    long runTo = run.to;
    long keptAfter = run.kept - 1;
    run.reason = r;
    run.to = seq;
    run.kept = 0;
    if (runTo - seq == keptAfter) {
      // Nothing after x was replaced (also when x ended the run): no run is left to mark.
      removeEvent(x);
      chain.conflated = null;
    } else {
      toMarker(x, Gap.conflated(chain.topic, seq + 1, runTo, keptAfter));
      chain.conflated = x;
    }
    Node pp = c.topicPrev;
    if (isDropped(pp, r) && pp.gap.to + 1 == from) {
      pp.gap.to = seq;
      removeMarker(c);
    }
  }

  /**
   * Drops the new event {@code e}, which does not fit: into its topic's last marker if that names
   * the seq before, else into a new marker at the tail if one fits.
   */
  final OfferOutcome dropNew(ChangeEvent e, DropReason r) {
    Chain c = chains.get(e.topic());
    Node last = c == null ? null : c.last;
    if (isDropped(last, r) && last.gap.to + 1 == e.seq()) {
      last.gap.to = e.seq();
      droppedEvents++;
      return OfferOutcome.DROPPED;
    }
    if (!fits(1, ClientBuffer.MARKER_BYTES) || !mayDropNew(c)) {
      return OfferOutcome.DISCONNECT;
    }
    Node n = markerNode(new Gap(e.topic(), e.seq(), e.seq(), r));
    n.order = nextOrder;
    linkLast(chainOf(e.topic()), n);
    countMarkerIn();
    droppedEvents++;
    return OfferOutcome.DROPPED;
  }

  /** Whether a marker for a dropped new event may stand at the tail of {@code c} (null: none). */
  boolean mayDropNew(Chain c) {
    return true;
  }

  /**
   * Makes room for {@code e} by dropping {@link #victim()}s for {@code r} one by one, oldest first;
   * drops {@code e} too when that is not enough.
   */
  final OfferOutcome dropForRoom(ChangeEvent e, DropReason r) {
    while (!fits(1, e.size())) {
      Node v = victim();
      if (v == null || !tryDrop(v, r)) {
        break;
      }
    }
    if (fits(1, e.size())) {
      append(e);
      return OfferOutcome.DROPPED;
    }
    return dropNew(e, r);
  }

  /** The next event to drop when full; the oldest by default. */
  Node victim() {
    return oldestEvent();
  }

  /** The oldest queued event, or null. O(markers before it). */
  final Node oldestEvent() {
    Node n = head;
    while (n != null && n.event == null) {
      n = n.next;
    }
    return n;
  }

  /** The oldest queued event of {@code c}, or null. */
  static Node firstEvent(Chain c) {
    Node n = c.first;
    while (n != null && n.event == null) {
      n = n.topicNext;
    }
    return n;
  }

  // ------------------------------------------------------------------ PendingQueue

  @Override
  Object poll() {
    Node n = head;
    if (n == null) {
      return null;
    }
    if (n.event != null) {
      ChangeEvent e = n.event;
      removeEvent(n);
      dropEmptyChain(e.topic());
      return e;
    }
    Gap g = n.gap;
    markerPolling(n.chain, n);
    if (n.chain.conflated == n) {
      n.chain.conflated = null;
    }
    removeMarker(n);
    dropEmptyChain(g.topic);
    return g;
  }

  private void dropEmptyChain(String topic) {
    Chain c = chains.get(topic);
    if (c != null && c.first == null) {
      chains.remove(topic);
    }
  }

  @Override
  boolean isEmpty() {
    return head == null;
  }

  @Override
  void discardTopic(String topic) {
    Chain c = chains.remove(topic);
    if (c == null) {
      return;
    }
    Node n = c.first;
    while (n != null) {
      Node next = n.topicNext;
      if (n.event != null) {
        c.events--;
        countEventOut(n.event);
      } else {
        countMarkerOut();
      }
      unlink(n);
      n = next;
    }
  }

  @Override
  void clearEntries() {
    head = null;
    tail = null;
    chains.clear();
  }

  // ------------------------------------------------------------------ invariants

  /** Checks a chain's policy-specific structure; called by {@link #checkInvariants}. */
  void checkChain(Chain c) {}

  @Override
  void checkInvariants() {
    int events = 0;
    int gaps = 0;
    long eventBytes = 0;
    Node prev = null;
    for (Node n = head; n != null; n = n.next) {
      check(n.prev == prev, "stream links are consistent");
      check((n.event == null) != (n.gap == null), "a node is an event or a marker");
      check(chains.get(n.chain.topic) == n.chain, "a node's chain is its topic's");
      if (n.event != null) {
        events++;
        eventBytes += n.event.size();
        check(n.event.topic().equals(n.chain.topic), "an event sits in its topic's chain");
      } else {
        gaps++;
        check(n.gap.topic.equals(n.chain.topic), "a marker sits in its topic's chain");
      }
      prev = n;
    }
    check(tail == prev, "the tail is the last node");
    int chained = 0;
    for (Chain c : chains.values()) {
      check(c.first != null, "a chain without nodes is forgotten");
      int chainEvents = 0;
      Node tp = null;
      // Per topic: seqs increase along the chain; outside compacted runs and sealed survivors
      // (whose replaced seqs were counted by a conflated marker) they tile, without a hole.
      long lastTo = Long.MIN_VALUE;
      boolean loose = false;
      long runTo = Long.MIN_VALUE;
      long runEvents = 0;
      Gap run = null;
      int conflatedMarkers = 0;
      for (Node n = c.first; n != null; n = n.topicNext) {
        chained++;
        check(n.topicPrev == tp, "topic links are consistent");
        check(n.chain == c, "a chain holds only its own nodes");
        check(tp == null || tp.order <= n.order, "a topic's chain follows stream order");
        long from = n.from();
        boolean inRun = from <= runTo;
        boolean thisLoose = n.sealed || (n.event != null && inRun);
        if (lastTo != Long.MIN_VALUE) {
          check(from > lastTo, "a topic's seqs increase along its chain");
          check(loose || thisLoose || from == lastTo + 1, "a topic's entries tile its seqs");
        }
        if (n.event != null) {
          chainEvents++;
          if (inRun) {
            runEvents++;
          }
        } else {
          check(n.gap.from <= n.gap.to, "a marker names at least one seq");
          if (n.gap.reason == null) {
            conflatedMarkers++;
            check(c.conflated == n, "the chain knows its conflated marker");
            run = n.gap;
            runTo = n.gap.to;
            runEvents = 0;
          } else {
            check(
                !(isDropped(tp, n.gap.reason) && tp.gap.to + 1 == n.gap.from),
                "touching markers of one topic and reason merge");
            check(!inRun, "no dropped marker inside a compacted run");
          }
        }
        // A compacted run's survivors follow its marker inside its range.
        lastTo = isConflated(n) ? n.gap.from - 1 : n.to();
        // What follows a survivor may skip the replaced seqs; what follows a run's last seq not.
        loose = n.sealed || (n.event != null && inRun && n.event.seq() < runTo);
        if (run != null && lastTo == runTo && n.event != null) {
          check(run.kept == runEvents, "a conflated marker counts the survivors of its run");
        }
        tp = n;
      }
      check(c.last == tp, "a chain's last is its last node");
      check(c.events == chainEvents, "a chain counts its events");
      check(conflatedMarkers <= 1, "at most one conflated marker per topic");
      check(conflatedMarkers == 1 || c.conflated == null, "the chain's conflated marker is queued");
      if (run != null) {
        check(runEvents == run.kept, "a compacted run ends with its survivors, seq to the last");
      }
      checkChain(c);
    }
    check(chained == events + gaps, "every node sits in one chain");
    checkTotals(events, eventBytes, gaps);
  }
}
