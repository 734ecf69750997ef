package io.slipstream.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Worked examples of {@link Topic}, and the view/log handoff between its writer and readers. */
class TopicTest {

  private static Topic topic(String name, int logSize) {
    return new Topic(name, logSize, TopicProperties.ENCODER);
  }

  @Test
  void twoTopicsHaveDifferentEpochs() {
    assertThat(topic("a", 4).view().epoch()).isNotEqualTo(topic("a", 4).view().epoch());
    Set<String> epochs = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      epochs.add(Topic.newEpoch());
    }
    assertThat(epochs).hasSize(1_000);
  }

  @Test
  void invalidNameIsRejected() {
    assertThatThrownBy(() -> topic("bad name", 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic name");
    assertThatThrownBy(() -> topic(null, 4)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> topic("ok", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replayLogSize");
  }

  @Test
  void encoderRunsOncePerEvent() {
    AtomicInteger calls = new AtomicInteger();
    Topic t = new Topic("t", 8, e -> new byte[calls.incrementAndGet()]);
    List<ChangeEvent> out =
        t.apply(
            List.of(
                new ChangeRequest(ChangeOp.INSERT, "k", "{}"),
                new ChangeRequest(ChangeOp.DELETE, "k", null)),
            5);
    assertThat(calls.get()).isEqualTo(2);
    assertThat(out.get(0).size()).isEqualTo(1);
    assertThat(out.get(1).size()).isEqualTo(2);
  }

  @Test
  void emptyBatchAndDeleteOfAbsentKey() {
    Topic t = topic("t", 8);
    assertThat(t.apply(List.of(), 1)).isEmpty();
    assertThat(t.view().seq()).isZero();
    List<ChangeEvent> out = t.apply(List.of(new ChangeRequest(ChangeOp.DELETE, "nope", null)), 2);
    assertThat(out).singleElement().satisfies(e -> assertThat(e.seq()).isEqualTo(1));
    assertThat(t.view().seq()).as("a DELETE of an absent key still takes a seq").isEqualTo(1);
    assertThat(t.view().rows().size()).isZero();
  }

  @Test
  void canReplayFromTheStartUntilTheLogWraps() {
    Topic t = topic("t", 2);
    String epoch = t.view().epoch();
    assertThat(t.canReplayFrom(new Position(epoch, 0))).isTrue();
    assertThat(t.canReplayFrom(new Position(epoch, 1))).as("ahead of the topic").isFalse();
    t.apply(List.of(new ChangeRequest(ChangeOp.INSERT, "a", "{}")), 1);
    t.apply(List.of(new ChangeRequest(ChangeOp.INSERT, "b", "{}")), 2);
    assertThat(t.canReplayFrom(new Position(epoch, 0))).isTrue();
    t.apply(List.of(new ChangeRequest(ChangeOp.INSERT, "c", "{}")), 3);
    assertThat(t.canReplayFrom(new Position(epoch, 0))).as("seq 1 left the log").isFalse();
    assertThat(t.canReplayFrom(new Position(epoch, 1))).isTrue();
    assertThat(t.canReplayFrom(new Position(epoch, 3))).isTrue();
    assertThat(t.canReplayFrom(new Position("other", 3))).isFalse();
  }

  /**
   * The handoff the class doc promises: a reader that sees seq S in the view finds the log at S or
   * beyond, and finds seq S itself unless the log has since evicted it.
   *
   * <p>Evicted means {@code firstSeq} moved past S, read after the miss. This test once judged the
   * miss by {@code lastSeq - logSize} instead and failed in CI (1 run in many): the writer evicts
   * the oldest event before it announces the new {@code lastSeq}, so for a moment the log no longer
   * holds S while {@code lastSeq} is still within a window of it. The log was right; the test read
   * the wrong bound.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void readerThatSeesSeqInViewFindsItInTheLog() throws Exception {
    int logSize = 16;
    Topic t = topic("t", logSize);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                for (long i = 0; i < 50_000_000L && !done.get(); i++) {
                  TopicView v = t.view();
                  long s = v.seq();
                  if (s == 0) {
                    continue;
                  }
                  ChangeEvent e = t.log().get(s);
                  long lastAfter = t.log().lastSeq();
                  if (lastAfter < s) {
                    throw new AssertionError("view at " + s + " but log only at " + lastAfter);
                  }
                  long firstAfter = t.log().firstSeq();
                  if (e == null ? firstAfter <= s : e.seq() != s) {
                    throw new AssertionError(
                        "view at " + s + ", log gave " + e + ", log holds " + firstAfter + ".."
                            + lastAfter);
                  }
                }
              } catch (Throwable th) {
                failure.compareAndSet(null, th);
              }
            },
            "topic-reader");
    reader.start();
    try {
      List<ChangeRequest> batch =
          List.of(
              new ChangeRequest(ChangeOp.UPDATE, "a", "{}"),
              new ChangeRequest(ChangeOp.UPDATE, "b", "{}"),
              new ChangeRequest(ChangeOp.DELETE, "a", null));
      for (int i = 0; i < 100_000 && failure.get() == null; i++) {
        t.apply(batch, i);
      }
    } finally {
      done.set(true);
      reader.join(TimeUnit.SECONDS.toMillis(50));
    }
    assertThat(failure.get()).isNull();
    assertThat(t.view().seq()).isEqualTo(300_000);
  }

  /**
   * Regression: an encoder that threw halfway through a batch left the earlier events in the replay
   * log without publishing the view, and every later apply then failed with "append out of order".
   * A failed apply must leave the topic exactly as it was.
   */
  @Test
  void anEncoderThatThrowsLeavesTheTopicUnchanged() {
    int[] calls = {0};
    Topic t =
        new Topic(
            "t",
            16,
            e -> {
              if (++calls[0] == 2) {
                throw new IllegalStateException("encoder failed");
              }
              return new byte[] {1};
            });
    java.util.List<ChangeRequest> two =
        java.util.List.of(
            new ChangeRequest(ChangeOp.INSERT, "a", "{}"),
            new ChangeRequest(ChangeOp.INSERT, "b", "{}"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.apply(two, 1))
        .hasMessage("encoder failed");
    org.assertj.core.api.Assertions.assertThat(t.view().seq()).isZero();
    org.assertj.core.api.Assertions.assertThat(t.log().lastSeq()).isZero();
    org.assertj.core.api.Assertions.assertThat(t.apply(two, 2))
        .extracting(ChangeEvent::seq)
        .containsExactly(1L, 2L);
  }

  @Test
  void resetEmptiesTheTopicUnderANewEpochAndSwapsTheLog() {
    Topic t = topic("t", 8);
    String first = t.view().epoch();
    t.apply(List.of(new ChangeRequest(ChangeOp.INSERT, "a", "{}")), 1);
    var oldLog = t.log();
    assertThat(t.wasDeleted()).isFalse();
    String epoch = t.reset();
    assertThat(epoch).isNotEqualTo(first).isEqualTo(t.view().epoch());
    assertThat(t.view().seq()).isZero();
    assertThat(t.view().rows().size()).isZero();
    assertThat(t.log()).isNotSameAs(oldLog);
    assertThat(t.log().lastSeq()).isZero();
    assertThat(oldLog.get(1)).as("a reader of the old log still reads it").isNotNull();
    assertThat(t.wasDeleted()).isTrue();
    assertThat(t.canReplayFrom(new Position(first, 1))).isFalse();
    assertThat(t.canReplayFrom(new Position(epoch, 0))).isTrue();
    List<ChangeEvent> next = t.apply(List.of(new ChangeRequest(ChangeOp.INSERT, "b", "{}")), 2);
    assertThat(next.get(0).seq()).as("seqs restart at 1 in the new epoch").isEqualTo(1);
    assertThat(next.get(0).epoch()).isEqualTo(epoch);
    assertThat(t.wasDeleted()).as("the epoch still began with a delete").isTrue();
  }

  /**
   * The footprint the topic-state budget adds up: prepare tells exactly what commit then adds, a
   * prepared batch changes nothing until committed, overwriting and deleting rows give bytes back,
   * and a reset returns to the empty footprint.
   */
  @Test
  void prepareMeasuresWhatCommitAddsToTheFootprint() {
    Topic t = new Topic("t", 4, 10_000, TopicProperties.ENCODER);
    long empty = t.footprint();
    Topic.Prepared batch =
        t.prepare(
            List.of(
                new ChangeRequest(ChangeOp.INSERT, "a", "{\"v\":1}"),
                new ChangeRequest(ChangeOp.INSERT, "a", "{\"v\":22}"),
                new ChangeRequest(ChangeOp.INSERT, "b", "{}")),
            1);
    assertThat(t.view().seq()).as("prepare applies nothing").isZero();
    assertThat(t.footprint()).isEqualTo(empty);
    long growth = batch.growthBytes();
    assertThat(growth).isPositive();
    t.commit(batch);
    assertThat(t.footprint() - empty).isEqualTo(growth);
    long rowsNow = Topic.rowBytes("a", "{\"v\":22}") + Topic.rowBytes("b", "{}");
    long logNow = 0;
    for (long s = 1; s <= 3; s++) {
      logNow += Topic.eventBytes(t.log().get(s));
    }
    assertThat(t.footprint()).isEqualTo(rowsNow + logNow + t.log().slotCount() * 4L);

    // Deletes shrink the rows; the log evicts by count (4), so the footprint can fall.
    for (int i = 0; i < 6; i++) {
      Topic.Prepared del = t.prepare(List.of(new ChangeRequest(ChangeOp.DELETE, "a", null)), 2);
      long before = t.footprint();
      t.commit(del);
      assertThat(t.footprint() - before).isEqualTo(del.growthBytes());
    }
    assertThat(t.log().size()).isEqualTo(4);
    t.reset();
    assertThat(t.footprint()).isEqualTo(empty);
  }

  @Test
  void aBatchPreparedBeforeAnotherChangeCannotBeCommitted() {
    Topic t = topic("t", 8);
    Topic.Prepared stale = t.prepare(List.of(new ChangeRequest(ChangeOp.INSERT, "a", "{}")), 1);
    t.apply(List.of(new ChangeRequest(ChangeOp.INSERT, "b", "{}")), 1);
    assertThatThrownBy(() -> t.commit(stale))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("changed since");
    assertThat(t.view().seq()).isEqualTo(1);
  }

  @Test
  void theReplayLogIsBoundedInBytes() {
    Topic t = new Topic("t", 1_000, 1_024, TopicProperties.ENCODER);
    for (int i = 0; i < 20; i++) {
      t.apply(
          List.of(new ChangeRequest(ChangeOp.UPDATE, "k", "{\"pad\":\"" + "x".repeat(100) + "\"}")),
          i);
    }
    assertThat(t.log().bytes()).isLessThanOrEqualTo(1_024);
    assertThat(t.log().firstSeq()).isGreaterThan(1);
    String epoch = t.view().epoch();
    assertThat(t.canReplayFrom(new Position(epoch, 0))).as("seq 1 left by bytes").isFalse();
    assertThat(t.canReplayFrom(new Position(epoch, t.log().firstSeq() - 1))).isTrue();
  }

  @Test
  void anEpochStartMarkerIsNoChange() {
    ChangeEvent marker = ChangeEvent.epochStart("t", "e2", 5);
    assertThat(marker.isEpochStart()).isTrue();
    assertThat(marker.seq()).isZero();
    assertThat(marker.epoch()).isEqualTo("e2");
    assertThat(marker.frame()).isEmpty();
    assertThat(
            topic("t", 4)
                .apply(List.of(new ChangeRequest(ChangeOp.INSERT, "a", "{}")), 1)
                .get(0)
                .isEpochStart())
        .isFalse();
  }
}
