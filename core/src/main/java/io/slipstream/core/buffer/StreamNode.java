package io.slipstream.core.buffer;

import io.slipstream.core.topic.ChangeEvent;

/**
 * One entry of a {@link ChainQueue}: an event or a marker, linked in stream order and in its
 * topic's chain ({@link TopicChain}).
 *
 * <p>Mutable, confined to its queue's thread; recycled through the queue's free list.
 */
final class StreamNode {
  /** The event; null for a marker. */
  ChangeEvent event;

  /** The marker; null for an event. */
  Gap gap;

  /** Position in the stream: increases with every appended event. */
  long order;

  /** When the event was queued, clock millis ({@code by-age} only). */
  long at;

  /**
   * A survivor of a compacted run whose marker has gone out (or the marker it was dropped into): it
   * can no longer be conflated, and the seqs before it may skip those the run replaced.
   */
  boolean sealed;

  StreamNode prev;
  StreamNode next;
  StreamNode topicPrev;
  StreamNode topicNext;
  TopicChain chain;

  long from() {
    return event != null ? event.seq() : gap.from;
  }

  long to() {
    return event != null ? event.seq() : gap.to;
  }
}
