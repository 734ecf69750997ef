package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.topic.ChangeEvent;

/**
 * The queue of the {@code sample} policy: a full buffer thins its fullest topic (most events
 * queued) to every second pending event, starting with its oldest and never its newest, again while
 * it stays full; each dropped run gets its {@code dropped} marker, reason {@code sampled}
 * (docs/protocol.md §6).
 *
 * <p>Confined to its buffer's thread.
 *
 * <p>Markers count against the bounds, so a first pass over a topic with no markers frees no entry
 * (each dropped event becomes a marker between two survivors); the next pass drops survivors
 * between markers, which merge, and frees two entries per drop. When no topic has two events left
 * to thin, or no drop fits the byte bound, the new event itself is dropped. Each pass is O(the
 * topic's entries) and drops half its events.
 */
final class SampleQueue extends ChainQueue {

  SampleQueue(BufferLimits limits) {
    super(limits);
  }

  @Override
  OfferOutcome offer(ChangeEvent e) {
    if (fits(1, e.size())) {
      append(e);
      return OfferOutcome.ACCEPTED;
    }
    while (!fits(1, e.size())) {
      TopicChain c = fullest();
      if (c == null || !thin(c)) {
        break;
      }
    }
    if (fits(1, e.size())) {
      append(e);
      return OfferOutcome.DROPPED;
    }
    return dropNew(e, DropReason.SAMPLED);
  }

  /** The topic with the most events queued, if it has at least two. */
  private TopicChain fullest() {
    TopicChain best = null;
    for (TopicChain c : chains.values()) {
      if (c.events >= 2 && (best == null || c.events > best.events)) {
        best = c;
      }
    }
    return best;
  }

  /** Drops every second event of {@code c}, from its oldest, never its newest; false if none. */
  private boolean thin(TopicChain c) {
    StreamNode newest = c.last;
    while (newest.event == null) {
      newest = newest.topicPrev;
    }
    boolean dropped = false;
    boolean drop = true;
    StreamNode n = firstEvent(c);
    while (n != null && n != newest) {
      // A drop removes this node and maybe the marker after it, never another event.
      StreamNode next = n.topicNext;
      while (next != null && next.event == null) {
        next = next.topicNext;
      }
      if (drop && tryDrop(n, DropReason.SAMPLED)) {
        dropped = true;
      }
      drop = !drop;
      n = next;
    }
    return dropped;
  }
}
