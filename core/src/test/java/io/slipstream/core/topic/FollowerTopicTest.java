package io.slipstream.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A {@link Topic} as a cluster's follower replica: restored from a copy, and waiting for lag. */
class FollowerTopicTest {

  private static ChangeRequest upsert(String key, String json) {
    return new ChangeRequest(ChangeOp.INSERT, key, json);
  }

  @Test
  void restoreReplacesRowsSeqEpochAndLogThenApplyContinuesAfterIt() {
    Topic source = new Topic("t", 100, TopicProperties.ENCODER);
    for (int i = 1; i <= 10; i++) {
      source.apply(List.of(upsert("k" + (i % 3), "{\"v\":" + i + "}")), i);
    }
    List<ChangeEvent> tail =
        List.of(source.log().get(8), source.log().get(9), source.log().get(10));

    Topic replica = new Topic("t", 100, TopicProperties.ENCODER).follow();
    replica.restore(source.view().epoch(), 10, source.view().rows(), tail);

    assertThat(replica.view().epoch()).isEqualTo(source.view().epoch());
    assertThat(replica.view().seq()).isEqualTo(10);
    assertThat(replica.view().rows().size()).isEqualTo(3);
    assertThat(replica.log().firstSeq()).isEqualTo(8);
    assertThat(replica.log().lastSeq()).isEqualTo(10);
    assertThat(replica.wasDeleted()).isFalse();
    assertThat(replica.footprint()).isEqualTo(source.footprint() - sizeOfFirstSeven(source));

    List<ChangeEvent> next = replica.apply(List.of(upsert("k9", "{}")), 11);
    assertThat(next.get(0).seq()).isEqualTo(11);
    assertThat(next.get(0).epoch()).isEqualTo(source.view().epoch());
    assertThat(replica.canReplayFrom(new Position(source.view().epoch(), 7))).isTrue();
    assertThat(replica.canReplayFrom(new Position(source.view().epoch(), 6))).isFalse();
  }

  private static long sizeOfFirstSeven(Topic source) {
    long bytes = 0;
    for (long s = 1; s <= 7; s++) {
      bytes += Topic.eventBytes(source.log().get(s));
    }
    return bytes;
  }

  @Test
  void restoreWithoutTailStartsTheLogAfterTheSnapshot() {
    Topic replica = new Topic("t", 100, TopicProperties.ENCODER).follow();
    replica.restore("e1", 41, RowMap.EMPTY, List.of());

    assertThat(replica.log().lastSeq()).isEqualTo(41);
    assertThat(replica.log().get(41)).isNull();
    assertThat(replica.apply(List.of(upsert("a", "{}")), 1).get(0).seq()).isEqualTo(42);
  }

  @Test
  void restoreRefusesATailOfAnotherEpoch() {
    Topic source = new Topic("t", 100, TopicProperties.ENCODER);
    source.apply(List.of(upsert("a", "{}")), 1);
    Topic replica = new Topic("t", 100, TopicProperties.ENCODER).follow();

    assertThatThrownBy(
            () -> replica.restore("other", 1, source.view().rows(), List.of(source.log().get(1))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyAFollowerWaitsForAPositionAheadOfIt() {
    Topic plain = new Topic("t", 100, TopicProperties.ENCODER);
    plain.apply(List.of(upsert("a", "{}")), 1);
    Topic follower = new Topic("t", 100, TopicProperties.ENCODER).follow();
    follower.restore(plain.view().epoch(), 1, plain.view().rows(), List.of(plain.log().get(1)));
    Position ahead = new Position(plain.view().epoch(), 5);

    assertThat(plain.canReplayFrom(ahead)).isFalse();
    assertThat(follower.canReplayFrom(ahead)).isTrue();
    assertThat(follower.canReplayFrom(new Position("other", 5))).isFalse();
  }
}
