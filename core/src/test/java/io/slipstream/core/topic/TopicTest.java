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
   * beyond, and finds seq S itself unless the log has since moved a whole window past it.
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
                  if (e == null ? lastAfter - logSize < s : e.seq() != s) {
                    throw new AssertionError(
                        "view at " + s + ", log gave " + e + ", log at " + lastAfter);
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
   * Regression: an encoder that threw halfway through a batch left the earlier events in the
   * replay log without publishing the view, and every later apply then failed with "append out of
   * order". A failed apply must leave the topic exactly as it was.
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
            new ChangeRequest(ChangeOp.INSERT, "a", "{}"), new ChangeRequest(ChangeOp.INSERT, "b", "{}"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.apply(two, 1))
        .hasMessage("encoder failed");
    org.assertj.core.api.Assertions.assertThat(t.view().seq()).isZero();
    org.assertj.core.api.Assertions.assertThat(t.log().lastSeq()).isZero();
    org.assertj.core.api.Assertions.assertThat(t.apply(two, 2)).extracting(ChangeEvent::seq).containsExactly(1L, 2L);
  }
}
