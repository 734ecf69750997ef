package io.slipstream.core.spi;

import io.slipstream.core.topic.Topic;

/**
 * Where this node keeps its topics' local replicas (single node: the topics themselves): what the
 * connections read snapshots and replays from, and what a sequencer or feed writes.
 *
 * <p>Thread-safe. A replica is written only from its topic's sequencer (or feed); {@link #open} and
 * {@link #forgetIfIdle} are called from there, {@link #find} from anywhere.
 */
public interface Replicas {

  /**
   * The topic's replica, created (empty, with a fresh epoch) when absent; null when creating it
   * would pass the node's {@code maxTopics}.
   */
  Topic open(String topic);

  /** The topic's replica, or null when this node holds none. */
  Topic find(String topic);

  /**
   * Forgets the topic's replica if nothing is published in it (seq 0) and no subscriber holds it;
   * otherwise does nothing. A subscriber arriving at the same time keeps a topic publishes reach.
   */
  void forgetIfIdle(String topic);
}
