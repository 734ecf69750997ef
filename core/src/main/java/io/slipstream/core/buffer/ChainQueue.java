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

  /** Oldest entry. Bound: the queue's nodes are its entries, counted in {@link #entries}. */
  StreamNode head;

  StreamNode tail;

  /** Chains by topic. Bound: one per topic with queued entries. */
  final Map<String, TopicChain> chains = new HashMap<>();

  private StreamNode pool;
  private int pooled;
  private long nextOrder;

  ChainQueue(BufferLimits limits) {
    super(limits);
  }

  /** A chain for a topic seen for the first time; subclasses keep more per topic. */
  TopicChain newChain(String topic) {
    return new TopicChain(topic);
  }

  /** Called once {@code n}, an event, is queued at the tail. */
  void eventAppended(TopicChain c, StreamNode n) {}

  /** Called just before {@code n}, an event, leaves the queue (polled, dropped or conflated). */
  void eventRemoving(TopicChain c, StreamNode n) {}

  /** Called just before {@code n}, a marker, is polled. */
  void markerPolling(TopicChain c, StreamNode n) {}

  /** The time stamped on appended events; 0 unless a policy needs it. */
  long now() {
    return 0;
  }

  // ------------------------------------------------------------------ structure

  final TopicChain chainOf(String topic) {
    TopicChain c = chains.get(topic);
    if (c == null) {
      c = newChain(topic);
      chains.put(topic, c);
    }
    return c;
  }

  private StreamNode take() {
    StreamNode n = pool;
    if (n == null) {
      return new StreamNode();
    }
    pool = n.next;
    n.next = null;
    pooled--;
    return n;
  }

  private void release(StreamNode n) {
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
    StreamNode n = take();
    n.event = e;
    n.order = nextOrder++;
    n.at = now();
    TopicChain c = chainOf(e.topic());
    linkLast(c, n);
    c.events++;
    countEventIn(e);
    eventAppended(c, n);
  }

  private void linkLast(TopicChain c, StreamNode n) {
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
  final void linkBefore(StreamNode at, StreamNode n) {
    TopicChain c = at.chain;
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
  final StreamNode markerNode(Gap g) {
    StreamNode n = take();
    n.gap = g;
    return n;
  }

  private void unlink(StreamNode n) {
    TopicChain c = n.chain;
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
  final void removeEvent(StreamNode n) {
    TopicChain c = n.chain;
    eventRemoving(c, n);
    c.events--;
    countEventOut(n.event);
    unlink(n);
  }

  private void removeMarker(StreamNode n) {
    countMarkerOut();
    unlink(n);
  }

  /** Turns the event node {@code x} into the marker {@code g}, in place. */
  private void toMarker(StreamNode x, Gap g) {
    TopicChain c = x.chain;
    eventRemoving(c, x);
    c.events--;
    countEventOut(x.event);
    // A sealed survivor's marker stays sealed: the seqs before it were counted by a run's marker.
    x.event = null;
    x.gap = g;
    countMarkerIn();
  }

  static boolean isDropped(StreamNode n, DropReason r) {
    return n != null && n.gap != null && n.gap.reason == r;
  }

  static boolean isConflated(StreamNode n) {
    return n != null && n.gap != null && n.gap.reason == null;
  }

  /** Whether the event {@code x} lies in the compacted run of the marker right before it. */
  private static boolean inRunOf(StreamNode x, StreamNode p) {
    return isConflated(p) && p.gap.from <= x.event.seq() && x.event.seq() <= p.gap.to;
  }

  // ------------------------------------------------------------------ dropping

  /** How {@link #dropEvent} would change {@link #bytes}. */
  final long dropBytes(StreamNode x, DropReason r) {
    long seq = x.event.seq();
    StreamNode p = x.topicPrev;
    if (inRunOf(x, p)) {
      boolean restReplacesNothing = p.gap.to - seq == p.gap.kept - 1;
      long d = restReplacesNothing ? -x.event.size() : ClientBuffer.MARKER_BYTES - x.event.size();
      StreamNode pp = p.topicPrev;
      if (isDropped(pp, r) && pp.gap.to + 1 == p.gap.from) {
        d -= ClientBuffer.MARKER_BYTES;
      }
      return d;
    }
    StreamNode n = x.topicNext;
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
  final boolean tryDrop(StreamNode x, DropReason r) {
    return tryDrop(x, r, 0);
  }

  /** Drops {@code x} for {@code r} if the bytes stay {@code reserve} below their bound. */
  final boolean tryDrop(StreamNode x, DropReason r, long reserve) {
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
  final void dropEvent(StreamNode x, DropReason r) {
    countDrop(r);
    long seq = x.event.seq();
    StreamNode p = x.topicPrev;
    if (inRunOf(x, p)) {
      splitRun(p, x, r);
      return;
    }
    StreamNode n = x.topicNext;
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
  private void splitRun(StreamNode c, StreamNode x, DropReason r) {
    long seq = x.event.seq();
    Gap run = c.gap;
    TopicChain chain = c.chain;
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
    StreamNode pp = c.topicPrev;
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
    TopicChain c = chains.get(e.topic());
    StreamNode last = c == null ? null : c.last;
    if (isDropped(last, r) && last.gap.to + 1 == e.seq()) {
      last.gap.to = e.seq();
      countDrop(r);
      return OfferOutcome.DROPPED;
    }
    if (!fits(1, ClientBuffer.MARKER_BYTES) || !mayDropNew(c)) {
      return OfferOutcome.DISCONNECT;
    }
    StreamNode n = markerNode(new Gap(e.topic(), e.seq(), e.seq(), r));
    n.order = nextOrder;
    linkLast(chainOf(e.topic()), n);
    countMarkerIn();
    countDrop(r);
    return OfferOutcome.DROPPED;
  }

  /** Whether a marker for a dropped new event may stand at the tail of {@code c} (null: none). */
  boolean mayDropNew(TopicChain c) {
    return true;
  }

  /**
   * Makes room for {@code e} by dropping {@link #victim()}s for {@code r} one by one, oldest first;
   * drops {@code e} too when that is not enough.
   */
  final OfferOutcome dropForRoom(ChangeEvent e, DropReason r) {
    while (!fits(1, e.size())) {
      StreamNode v = victim();
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

  @Override
  final boolean shedOldest(DropReason reason) {
    StreamNode oldest = oldestEvent();
    return oldest != null && tryDrop(oldest, reason);
  }

  /** The next event to drop when full; the oldest by default. */
  StreamNode victim() {
    return oldestEvent();
  }

  /** The oldest queued event, or null. O(markers before it). */
  final StreamNode oldestEvent() {
    StreamNode n = head;
    while (n != null && n.event == null) {
      n = n.next;
    }
    return n;
  }

  /** The oldest queued event of {@code c}, or null. */
  static StreamNode firstEvent(TopicChain c) {
    StreamNode n = c.first;
    while (n != null && n.event == null) {
      n = n.topicNext;
    }
    return n;
  }

  // ------------------------------------------------------------------ PendingQueue

  @Override
  Object poll() {
    StreamNode n = head;
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
    TopicChain c = chains.get(topic);
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
    TopicChain c = chains.remove(topic);
    if (c == null) {
      return;
    }
    StreamNode n = c.first;
    while (n != null) {
      StreamNode next = n.topicNext;
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
  void checkChain(TopicChain c) {}

  @Override
  void checkInvariants() {
    ChainInvariants.check(this);
  }
}
