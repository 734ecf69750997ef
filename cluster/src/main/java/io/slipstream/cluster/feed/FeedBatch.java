package io.slipstream.cluster.feed;

import io.slipstream.cluster.log.LoggedChange;
import java.util.List;

/**
 * A committed run of one topic's changes, {@code firstSeq .. lastSeq()} of {@code epoch}, as the
 * publishing node pushes it to every node after a 200, or as a gap-fill read returns it.
 *
 * <p>Immutable and shared: the change list is never modified.
 *
 * @param topic the topic
 * @param epoch the history the seqs belong to
 * @param firstSeq the seq of {@code changes.get(0)}, at least 1
 * @param changes at least one, in seq order
 */
public record FeedBatch(String topic, String epoch, long firstSeq, List<LoggedChange> changes) {

  public FeedBatch {
    if (topic == null || epoch == null) {
      throw new IllegalArgumentException("topic and epoch are required");
    }
    if (firstSeq < 1) {
      throw new IllegalArgumentException("firstSeq must be at least 1, was " + firstSeq);
    }
    if (changes == null || changes.isEmpty()) {
      throw new IllegalArgumentException("changes must hold at least one change");
    }
  }

  /** The seq of the last change. */
  public long lastSeq() {
    return firstSeq + changes.size() - 1;
  }

  /** How many changes it holds. */
  public int size() {
    return changes.size();
  }

  @Override
  public String toString() {
    return "FeedBatch[" + topic + " " + epoch + ":" + firstSeq + ".." + lastSeq() + "]";
  }
}
