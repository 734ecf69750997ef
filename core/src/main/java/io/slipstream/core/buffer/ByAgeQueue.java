package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;

/**
 * The queue of the {@code by-age} policy: events pending longer than {@code buffer.maxAgeMs} are
 * dropped at any fill ({@code dropped} reason {@code age}); a full buffer drops its oldest (reason
 * {@code buffer}) (docs/protocol.md §6).
 *
 * <p>Confined to its buffer's thread.
 *
 * <p>Ages are checked lazily, on the injected clock, whenever an event is offered or polled: no
 * timer per connection. Events are queued in time order, so the aged ones are always the oldest and
 * are dropped from the head, into one marker per topic and reason; an event is never handed out
 * older than {@code maxAgeMs}. An aged event whose marker would not fit the byte bound stays until
 * one does (or a full buffer drops it).
 */
final class ByAgeQueue extends ChainQueue {

  private final Clock clock;
  private final long maxAgeMs;

  ByAgeQueue(BufferLimits limits, Clock clock) {
    super(limits);
    this.clock = clock;
    this.maxAgeMs = limits.maxAgeMs();
  }

  @Override
  long now() {
    return clock.millis();
  }

  @Override
  OfferOutcome offer(ChangeEvent e) {
    // An event that fits must still fit after the aged ones' markers: no drop for room below 100%.
    expire(fits(1, e.size()) ? e.size() : 0);
    if (fits(1, e.size())) {
      append(e);
      return OfferOutcome.ACCEPTED;
    }
    return dropForRoom(e, DropReason.BUFFER_FULL);
  }

  @Override
  Object poll() {
    expire(0);
    return super.poll();
  }

  /**
   * Drops, oldest first, the events pending longer than {@code maxAgeMs}, keeping {@code reserve}
   * bytes free.
   */
  private void expire(long reserve) {
    if (head == null) {
      return;
    }
    long now = clock.millis();
    for (StreamNode n = oldestEvent(); n != null && now - n.at > maxAgeMs; n = oldestEvent()) {
      if (!tryDrop(n, DropReason.AGE, reserve)) {
        return;
      }
    }
  }

  @Override
  void checkChain(TopicChain c) {
    long at = Long.MIN_VALUE;
    for (StreamNode n = c.first; n != null; n = n.topicNext) {
      if (n.event != null) {
        check(n.at >= at, "a topic's events are queued in time order");
        at = n.at;
      }
    }
  }
}
