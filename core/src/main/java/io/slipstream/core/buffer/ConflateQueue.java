package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.topic.ChangeEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * The queue of the {@code conflate} policy: a full buffer is compacted to the newest pending event
 * of each (topic, key), a {@code conflated} marker before each compacted run counting what was
 * replaced, so the client's state is exact at the run's end; when that makes no room (more distinct
 * keys pending than the bounds hold), drop-oldest applies (docs/protocol.md §6).
 *
 * <p>Confined to its buffer's thread.
 *
 * <p>Each topic has at most one {@code conflated} marker queued, standing before every event its
 * run covers: a later compaction extends it to the topic's newest event instead of opening another,
 * since its range then still ends on an event the client will apply. Once the marker has gone out,
 * the survivors behind it are sealed: their seqs were counted, so they are never conflated again,
 * and the next compaction's run starts after them. Per topic the queue indexes each key's newest
 * pending event and counts the events a newer one replaces ({@code obsolete}), so a full buffer
 * with nothing to compact goes straight to drop-oldest without a walk. A topic is compacted only
 * when that frees room and keeps both bounds (a new marker costs an entry and {@link
 * ClientBuffer#MARKER_BYTES}), so compaction never pushes the buffer past a bound.
 *
 * <p>A dropped new event's marker may stand only where its topic has no event queued (at the end of
 * a compacted run it would break the run's exact state), so in a buffer full of one topic's
 * distinct keys that even drop-oldest cannot free, the offer is refused (4001).
 */
final class ConflateQueue extends ChainQueue {

  /** A topic's chain with its key index. */
  static final class KeyedChain extends TopicChain {
    /**
     * Each key's newest queued event, or null once it has left: keeping the entry saves a map node
     * per event for a key that comes back. Bound: the topic's queued events, and stale keys pruned
     * once they outnumber those by {@link #STALE_SLACK} (so at most {@code buffer.max} plus that).
     */
    final Map<String, StreamNode> newest = new HashMap<>();

    /** Keys of {@link #newest} whose event has left (null values). */
    int stale;

    /** Queued unsealed events a newer event of their key replaces. */
    int obsolete;

    /** Their bytes. */
    long obsoleteBytes;

    KeyedChain(String topic) {
      super(topic);
    }
  }

  /** Stale keys a chain's index may keep beyond its queued events before it is pruned. */
  static final int STALE_SLACK = 256;

  ConflateQueue(BufferLimits limits) {
    super(limits);
  }

  @Override
  TopicChain newChain(String topic) {
    return new KeyedChain(topic);
  }

  @Override
  void eventAppended(TopicChain c, StreamNode n) {
    KeyedChain k = (KeyedChain) c;
    int size = k.newest.size();
    StreamNode replaced = k.newest.put(n.event.key(), n);
    if (replaced == null && k.newest.size() == size) {
      k.stale--; // the key was known, its event gone
    }
    if (replaced != null && !replaced.sealed) {
      k.obsolete++;
      k.obsoleteBytes += replaced.event.size();
    }
  }

  @Override
  void eventRemoving(TopicChain c, StreamNode n) {
    KeyedChain k = (KeyedChain) c;
    String key = n.event.key();
    if (k.newest.get(key) == n) {
      k.newest.put(key, null);
      if (++k.stale > c.events + STALE_SLACK) {
        k.newest.values().removeIf(v -> v == null);
        k.stale = 0;
      }
    } else if (!n.sealed) {
      k.obsolete--;
      k.obsoleteBytes -= n.event.size();
    }
  }

  @Override
  void markerPolling(TopicChain c, StreamNode n) {
    if (!isConflated(n)) {
      return;
    }
    // The run's count has gone out: its survivors can no longer be conflated.
    KeyedChain k = (KeyedChain) c;
    for (StreamNode s = n.topicNext; s != null && s.from() <= n.gap.to; s = s.topicNext) {
      if (s.event != null) {
        s.sealed = true;
        if (k.newest.get(s.event.key()) != s) {
          k.obsolete--;
          k.obsoleteBytes -= s.event.size();
        }
      }
    }
  }

  @Override
  boolean mayDropNew(TopicChain c) {
    return c == null || c.events == 0;
  }

  @Override
  OfferOutcome offer(ChangeEvent e) {
    if (fits(1, e.size())) {
      append(e);
      return OfferOutcome.ACCEPTED;
    }
    // O(topics); each compaction walks its topic's chain and frees room.
    for (TopicChain c : chains.values()) {
      compact((KeyedChain) c);
    }
    if (fits(1, e.size())) {
      append(e);
      return OfferOutcome.ACCEPTED;
    }
    return dropForRoom(e, DropReason.BUFFER_FULL);
  }

  /**
   * Compacts {@code c} to the newest event per key, if that frees room and stays within both
   * bounds.
   */
  private void compact(KeyedChain c) {
    boolean opens = c.conflated == null;
    long entriesFreed = c.obsolete - (opens ? 1 : 0);
    long bytesFreed = c.obsoleteBytes - (opens ? ClientBuffer.MARKER_BYTES : 0);
    if (c.obsolete == 0
        || entriesFreed < 0
        || bytes - bytesFreed > maxBytes
        || (entriesFreed == 0 && bytesFreed <= 0)) {
      return;
    }
    StreamNode run = c.conflated;
    if (run == null) {
      StreamNode first = firstEvent(c);
      while (first.sealed || first.event == null) {
        first = first.topicNext;
      }
      run = markerNode(Gap.conflated(c.topic, first.event.seq(), first.event.seq(), 0));
      linkBefore(first, run);
      countMarkerIn();
      c.conflated = run;
    }
    long kept = 0;
    StreamNode n = run.topicNext;
    while (n != null) {
      StreamNode next = n.topicNext;
      if (c.newest.get(n.event.key()) != n) {
        removeEvent(n);
        conflatedEvents++;
      } else {
        kept++;
      }
      n = next;
    }
    run.gap.to = c.last.event.seq();
    run.gap.kept = kept;
  }

  @Override
  void checkChain(TopicChain chain) {
    KeyedChain c = (KeyedChain) chain;
    Map<String, StreamNode> newest = new HashMap<>();
    for (StreamNode n = c.first; n != null; n = n.topicNext) {
      if (n.event != null) {
        newest.put(n.event.key(), n);
      }
    }
    int obsolete = 0;
    long obsoleteBytes = 0;
    for (StreamNode n = c.first; n != null; n = n.topicNext) {
      if (n.event != null && !n.sealed && newest.get(n.event.key()) != n) {
        obsolete++;
        obsoleteBytes += n.event.size();
      }
      if (n.sealed) {
        check(c.conflated == null || n.order <= c.conflated.order, "sealed events precede a run");
      }
    }
    Map<String, StreamNode> live = new HashMap<>(c.newest);
    live.values().removeIf(v -> v == null);
    check(newest.equals(live), "the key index names each key's newest queued event");
    check(c.newest.size() - live.size() == c.stale, "stale counts the keys whose event left");
    check(c.stale <= maxEntries + STALE_SLACK + 1, "the key index is pruned of stale keys");
    check(c.obsolete == obsolete, "obsolete counts the replaced unsealed events");
    check(c.obsoleteBytes == obsoleteBytes, "obsoleteBytes sums them");
    if (c.conflated != null) {
      for (StreamNode n = c.conflated.topicNext; n != null; n = n.topicNext) {
        check(n.event != null, "only events follow a compacted run's marker");
      }
    }
  }
}
