package io.slipstream.core.spi.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.FakeReplicas;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.spi.RecordingFeed;
import io.slipstream.core.spi.Replicas;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.Topic;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The budget's books: after any sequence of publishes (keyed or not, upserts and deletes of rows,
 * replay logs evicting by count and bytes) and topic deletes, the bytes the {@link
 * TopicStateBudget} holds are exactly what the topics hold beyond their empty footprint plus what
 * the dedupe windows hold (modelled as one deque of keys per topic). Runs on one inline shard, so
 * every publish completes before the next.
 */
class LocalSequencerProperties {

  private static final Executor INLINE = Runnable::run;
  private static final DeadlineTimer NEVER = (delay, task) -> () -> {};

  /** One step: publish {@code rows} to topic {@code topic} (key {@code key} or none), or delete. */
  record Step(int topic, boolean delete, int key, List<Integer> rows, int padding) {}

  @Property(tries = 200)
  void theBudgetHoldsExactlyWhatTheTopicsAndWindowsHold(
      @ForAll("steps") List<Step> steps, @ForAll @IntRange(min = 1, max = 4) int window) {
    FakeReplicas replicas = new FakeReplicas(10, 6, 2_000);
    TopicStateBudget budget = new TopicStateBudget(1L << 30);
    Sequencer s = inline(replicas, budget, window);
    long empty = new Topic("x", 6, 2_000, FakeReplicas.ENCODER).footprint();
    Map<String, ArrayDeque<String>> windows = new HashMap<>();
    for (Step step : steps) {
      String topic = "t" + step.topic();
      if (step.delete()) {
        DeleteOutcome d = s.delete(topic, 1).toCompletableFuture().join();
        if (d.status() == DeleteOutcome.Status.DELETED) {
          windows.remove(topic);
        }
      } else {
        List<ChangeRequest> changes =
            step.rows().stream()
                .map(
                    r ->
                        r < 0
                            ? new ChangeRequest(ChangeOp.DELETE, "r" + (-r), null)
                            : new ChangeRequest(
                                ChangeOp.UPDATE,
                                "r" + r,
                                "{\"p\":\"" + "x".repeat(step.padding()) + "\"}"))
                .toList();
        String key = step.key() < 0 ? null : "k" + step.key();
        PublishOutcome o =
            s.publish(new Publish(topic, changes, key, 1, 1)).toCompletableFuture().join();
        if (o.status() == PublishOutcome.Status.APPLIED && key != null) {
          ArrayDeque<String> w = windows.computeIfAbsent(topic, t -> new ArrayDeque<>());
          w.addLast(key);
          while (w.size() > window) {
            w.removeFirst();
          }
        }
      }
      long expected = 0;
      for (int t = 0; t < 4; t++) {
        Topic replica = replicas.find("t" + t);
        if (replica != null) {
          replica.log().checkInvariants();
          expected += replica.footprint() - empty;
        }
      }
      for (ArrayDeque<String> w : windows.values()) {
        for (String k : w) {
          expected += DedupeWindow.entryBytes(k);
        }
      }
      assertThat(budget.usedBytes()).as("after %s", step).isEqualTo(expected);
    }
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<List<Integer>> rows =
        Arbitraries.integers().between(-4, 4).filter(i -> i != 0).list().ofMinSize(1).ofMaxSize(5);
    return Combinators.combine(
            Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 9).map(i -> i == 0),
            Arbitraries.integers().between(-1, 5),
            rows,
            Arbitraries.integers().between(0, 300))
        .as(Step::new)
        .list()
        .ofMaxSize(40);
  }

  /** An encoder that fails: the publish is INDETERMINATE, nothing applied, nothing charged. */
  @Test
  void aFailingEncoderLeavesTopicAndBudgetAsTheyWere() {
    Replicas failing =
        new Replicas() {
          final Topic topic =
              new Topic(
                  "t",
                  8,
                  e -> {
                    throw new IllegalStateException("encoder failed");
                  });

          @Override
          public Topic open(String name) {
            return topic;
          }

          @Override
          public Topic find(String name) {
            return topic;
          }

          @Override
          public void forgetIfIdle(String name) {}
        };
    TopicStateBudget budget = new TopicStateBudget(1L << 20);
    Sequencer s = inline(failing, budget, 4);
    PublishOutcome o =
        s.publish(
                new Publish("t", List.of(new ChangeRequest(ChangeOp.INSERT, "a", "{}")), "k", 1, 1))
            .toCompletableFuture()
            .join();
    assertThat(o.status()).isEqualTo(PublishOutcome.Status.INDETERMINATE);
    assertThat(o.status().error().httpStatus()).isEqualTo(503);
    assertThat(failing.find("t").view().seq()).isZero();
    assertThat(budget.usedBytes()).isZero();
  }

  /** A sequencer of one shard that runs each publish inline, on the caller. */
  private static Sequencer inline(Replicas replicas, TopicStateBudget budget, int window) {
    return LocalSequencers.create(
        replicas,
        new RecordingFeed(),
        budget,
        List.of(INLINE),
        NEVER,
        () -> 0,
        new LocalSequencers.Bounds(16, window));
  }
}
