package io.slipstream.cluster.sequencer;

import io.slipstream.cluster.feed.FeedBatch;

/**
 * Where the clustered sequencer hands what the authority committed, to reach every node's feed
 * (this one's too): the cluster's feed implements it over the clustered event bus.
 *
 * <p>Thread-safe; called on Hazelcast's threads, must not block.
 */
public interface Broadcast {

  /** {@code batch} is on both copies of its topic (a 200 follows): push it to every node. */
  void published(FeedBatch batch);

  /** The topic was emptied under {@code epoch} on both copies: every node resets its replica. */
  void deleted(String topic, String epoch);

  /** This node forgot its replica of {@code topic} (idle, nothing published): stop following it. */
  void forgotten(String topic);
}
