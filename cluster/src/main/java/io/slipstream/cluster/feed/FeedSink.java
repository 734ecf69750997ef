package io.slipstream.cluster.feed;

/**
 * Where a {@link TopicReorder} sends what it decides: changes to hand to the local replica, reads
 * to make, and resyncs to start.
 *
 * <p>Called on the reorder's owning thread, synchronously from its methods; an implementation
 * must not call back into the same reorder from inside these calls.
 */
public interface FeedSink {

  /**
   * The changes {@code batch.changes()[fromIndex..]} are next, in seq order, with seqs {@code
   * batch.firstSeq() + fromIndex ..}: each seq of an epoch is delivered exactly once.
   */
  void deliver(FeedBatch batch, int fromIndex);

  /**
   * A gap or a stale tail: read {@code (afterSeq, toSeq]} of {@code epoch} from the authority
   * (validated) and hand the answer to {@link TopicReorder#filled} or {@link
   * TopicReorder#fillFailed}. At most one fill per topic is outstanding.
   */
  void fill(String topic, String epoch, long afterSeq, long toSeq);

  /**
   * The topic's history changed under this node (another epoch, or the changes it needs are out
   * of the ring): take a validated snapshot and {@link TopicReorder#start} again from it.
   */
  void resync(String topic);
}
