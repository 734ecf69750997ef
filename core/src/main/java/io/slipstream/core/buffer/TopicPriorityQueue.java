package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.topic.ChangeEvent;

/**
 * The queue of the {@code priority} policy: a full buffer drops the oldest events of its
 * lowest-priority topic ({@code buffer.priorities}), reason {@code priority} (docs/protocol.md §6).
 *
 * <p>Confined to its buffer's thread.
 *
 * <p>Among topics of the same lowest priority, the one whose oldest event is oldest goes first, so
 * with no priorities configured the policy is drop-oldest. A topic's dropped events are always its
 * oldest queued ones, so its markers stand before its events. Choosing a victim is O(topics
 * queued); the priority of a topic is looked up once, when its first entry is queued.
 */
final class TopicPriorityQueue extends ChainQueue {

  private final TopicPriorities priorities;

  TopicPriorityQueue(BufferLimits limits) {
    super(limits);
    this.priorities = limits.priorities();
  }

  @Override
  TopicChain newChain(String topic) {
    TopicChain c = new TopicChain(topic);
    c.priority = priorities.priorityOf(topic);
    return c;
  }

  @Override
  OfferOutcome offer(ChangeEvent e) {
    if (fits(1, e.size())) {
      append(e);
      return OfferOutcome.ACCEPTED;
    }
    return dropForRoom(e, DropReason.PRIORITY);
  }

  @Override
  StreamNode victim() {
    StreamNode best = null;
    int bestPriority = 0;
    for (TopicChain c : chains.values()) {
      if (c.events == 0) {
        continue;
      }
      StreamNode first = firstEvent(c);
      if (best == null
          || c.priority < bestPriority
          || (c.priority == bestPriority && first.order < best.order)) {
        best = first;
        bestPriority = c.priority;
      }
    }
    return best;
  }

  @Override
  void checkChain(TopicChain c) {
    check(c.priority == priorities.priorityOf(c.topic), "a chain has its topic's priority");
  }
}
