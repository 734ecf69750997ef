package io.slipstream.cluster.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.cluster.feed.RecordingSink.Fill;
import io.slipstream.cluster.log.LoggedChange;
import io.slipstream.core.topic.ChangeOp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TopicReorder}'s rules one at a time, on a hand-driven clock. */
class TopicReorderTest {

  private static final ReorderLimits LIMITS = new ReorderLimits(5, 100, 1_000);

  private final long[] now = {1_000};
  private final RecordingSink sink = new RecordingSink();
  private final TopicReorder reorder = new TopicReorder("t", LIMITS, () -> now[0], sink);

  static List<LoggedChange> changes(long from, long to) {
    List<LoggedChange> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(new LoggedChange(ChangeOp.UPDATE, "k" + s, "{\"s\":" + s + "}", 0, null));
    }
    return out;
  }

  static FeedBatch batch(String epoch, long from, long to) {
    return new FeedBatch("t", epoch, from, changes(from, to));
  }

  @BeforeEach
  void live() {
    reorder.start("e1", 0);
  }

  @Test
  void batchesInOrderAreDeliveredAtOnce() {
    reorder.offer(batch("e1", 1, 2));
    reorder.offer(batch("e1", 3, 3));

    assertThat(sink.seqs).containsExactly(1L, 2L, 3L);
    assertThat(sink.fills).isEmpty();
    assertThat(reorder.waiting()).isFalse();
  }

  @Test
  void aLaterBatchWaitsForTheEarlierOne() {
    reorder.offer(batch("e1", 3, 4));
    assertThat(sink.seqs).isEmpty();
    assertThat(reorder.buffered()).isEqualTo(2);

    reorder.offer(batch("e1", 1, 2));

    assertThat(sink.seqs).containsExactly(1L, 2L, 3L, 4L);
    assertThat(reorder.buffered()).isZero();
    assertThat(sink.fills).isEmpty();
  }

  @Test
  void duplicatesAreDroppedAndOverlapsTrimmed() {
    reorder.offer(batch("e1", 1, 3));
    reorder.offer(batch("e1", 1, 3));
    reorder.offer(batch("e1", 2, 5));

    assertThat(sink.seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(sink.changes.get(3).key()).isEqualTo("k4");
  }

  @Test
  void aGapIsFilledOnlyOnceABatchHasWaitedBehindItForGapWait() {
    reorder.offer(batch("e1", 1, 1));
    reorder.offer(batch("e1", 4, 5));

    now[0] += 99;
    reorder.poll();
    assertThat(sink.fills).isEmpty();
    now[0] += 1;
    reorder.poll();
    assertThat(sink.fills).containsExactly(new Fill("e1", 1, 3));

    reorder.filled("e1", 2, changes(2, 3));
    assertThat(sink.seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(reorder.waiting()).isFalse();
  }

  @Test
  void aBatchOverTheBoundIsDroppedAndTheGapFilledAtOnce() {
    reorder.offer(batch("e1", 3, 6));
    reorder.offer(batch("e1", 8, 9));

    assertThat(reorder.buffered()).isEqualTo(4);
    assertThat(sink.fills).containsExactly(new Fill("e1", 0, 2));
    reorder.filled("e1", 1, changes(1, 2));
    // Still behind the dropped batch: the next fill follows the answer at once.
    assertThat(sink.seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(sink.lastFill()).isEqualTo(new Fill("e1", 6, 9));
    reorder.filled("e1", 7, changes(7, 9));
    assertThat(sink.seqs).hasSize(9);
  }

  @Test
  void aTipAheadOfTheNodeIsFilledAndATipAtItIsNot() {
    reorder.offer(batch("e1", 1, 2));
    reorder.tip("e1", 2);
    assertThat(sink.fills).isEmpty();

    reorder.tip("e1", 4);

    assertThat(sink.fills).containsExactly(new Fill("e1", 2, 4));
  }

  @Test
  void aLostFillIsIssuedAgainAfterItsTimeoutAndAFailedOneAfterGapWait() {
    reorder.tip("e1", 3);
    assertThat(sink.fills).hasSize(1);
    now[0] += 999;
    reorder.poll();
    assertThat(sink.fills).hasSize(1);
    now[0] += 1;
    reorder.poll();
    assertThat(sink.fills).hasSize(2);

    reorder.fillFailed();
    reorder.poll();
    assertThat(sink.fills).hasSize(2);
    now[0] += 100;
    reorder.poll();
    assertThat(sink.fills).hasSize(3);
  }

  @Test
  void anotherEpochResyncsAndTheNewEpochsBatchesAfterTheSnapshotFollow() {
    reorder.offer(batch("e1", 1, 2));
    reorder.offer(batch("e2", 1, 3));
    assertThat(sink.resyncs).isEqualTo(1);
    assertThat(reorder.live()).isFalse();
    reorder.offer(batch("e1", 3, 3)); // late, from the old epoch
    reorder.offer(batch("e2", 4, 4));

    reorder.start("e2", 2);

    assertThat(sink.seqs).containsExactly(1L, 2L, 3L, 4L);
    assertThat(sink.changes.get(2).key()).isEqualTo("k3");
    assertThat(reorder.next()).isEqualTo(5);
    assertThat(reorder.buffered()).isZero();
  }

  @Test
  void aTipOrFillOfAnotherEpochOrALostRangeResyncs() {
    reorder.tip("e0", 5);
    assertThat(sink.resyncs).isEqualTo(1);
    reorder.start("e1", 0);
    reorder.tip(null, 0);
    assertThat(sink.resyncs).isEqualTo(2);
    reorder.start("e1", 0);
    reorder.lost();
    assertThat(sink.resyncs).isEqualTo(3);
  }
}
