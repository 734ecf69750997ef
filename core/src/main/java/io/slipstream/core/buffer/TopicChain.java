package io.slipstream.core.buffer;

/**
 * One topic's entries in a {@link ChainQueue}, in stream order, and what its policy keeps per
 * topic.
 *
 * <p>Mutable, confined to its queue's thread.
 */
class TopicChain {
  final String topic;
  StreamNode first;
  StreamNode last;

  /** Events (not markers) in the chain. */
  int events;

  /** The chain's {@code conflated} marker still queued, if any: at most one per topic. */
  StreamNode conflated;

  /** Under {@code priority}: the topic's priority. */
  int priority;

  TopicChain(String topic) {
    this.topic = topic;
  }
}
