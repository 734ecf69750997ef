package io.slipstream.core.buffer;

import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayDeque;

/**
 * The queue of the {@code disconnect} policy: it never drops, and refuses the event that does not
 * fit, so the connection is closed with 4001 (docs/protocol.md §6).
 *
 * <p>Confined to its buffer's thread.
 */
final class DisconnectQueue extends PendingQueue {

  /** Bound: {@code buffer.max} events and {@code buffer.maxBytes} bytes, by {@link #offer}. */
  private final ArrayDeque<ChangeEvent> events = new ArrayDeque<>();

  DisconnectQueue(BufferLimits limits) {
    super(limits);
  }

  @Override
  OfferOutcome offer(ChangeEvent e) {
    if (!fits(1, e.size())) {
      return OfferOutcome.DISCONNECT;
    }
    events.addLast(e);
    countEventIn(e);
    return OfferOutcome.ACCEPTED;
  }

  @Override
  Object poll() {
    ChangeEvent e = events.pollFirst();
    if (e != null) {
      countEventOut(e);
    }
    return e;
  }

  @Override
  boolean isEmpty() {
    return events.isEmpty();
  }

  @Override
  void discardTopic(String topic) {
    discardEvents(events, topic);
  }

  @Override
  void clearEntries() {
    events.clear();
  }

  @Override
  void checkInvariants() {
    long eventBytes = 0;
    for (ChangeEvent e : events) {
      eventBytes += e.size();
    }
    checkTotals(events.size(), eventBytes, 0);
  }
}
