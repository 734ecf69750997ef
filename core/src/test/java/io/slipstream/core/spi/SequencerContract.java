package io.slipstream.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.spi.PublishOutcome.Status;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.RowMap;
import io.slipstream.core.topic.Topic;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link Sequencer} (see its class doc), for every implementation: the local one
 * runs it ({@code LocalSequencerContractTest}), and a clustered one extends it from core's
 * test-jar. An implementation provides a {@link Fixture}: the sequencer, the node's replicas, a
 * recording feed and a way to hold sequencing still (so that queues fill and deadlines pass
 * deterministically, without sleeping).
 *
 * <p>Each test states one promise of docs/protocol.md §10 (guarantee 10 of the contract).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SequencerContract {

  /**
   * The bounds a fixture is built with.
   *
   * @param maxPendingPublishes publishes queued or running per shard
   * @param idempotencyWindow keys remembered per topic
   * @param budgetBytes the node's topic-state budget
   * @param maxTopics topics the node may hold
   */
  protected record Bounds(
      int maxPendingPublishes, int idempotencyWindow, long budgetBytes, int maxTopics) {
    static Bounds defaults() {
      return new Bounds(64, 1_000, 64L << 20, 100);
    }
  }

  /** What the contract drives. Implementations are thread-safe. */
  protected interface Fixture extends AutoCloseable {
    Sequencer sequencer();

    /** The node's replica of {@code topic} after the feed applied it, or null. */
    Topic replica(String topic);

    /** Every feed call the node received. */
    RecordingFeed feed();

    /**
     * Holds every shard still (nothing is sequenced) until the returned action runs. Publishes made
     * meanwhile queue, as behind a slow batch.
     */
    Runnable hold();

    @Override
    void close();
  }

  /** Starts a sequencer with {@code bounds}, empty. */
  protected abstract Fixture start(Bounds bounds);

  private final Clock clock = Clock.system();
  private Fixture fixture;

  @AfterEach
  void closeFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private Fixture fixture(Bounds bounds) {
    fixture = start(bounds);
    return fixture;
  }

  private Publish publish(String topic, String key, String... rowKeys) {
    List<ChangeRequest> changes = new ArrayList<>();
    for (String k : rowKeys) {
      changes.add(new ChangeRequest(ChangeOp.UPDATE, k, "{\"k\":\"" + k + "\"}"));
    }
    return new Publish(topic, changes, key, 1_000, clock.millis() + 30_000);
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stage did not complete", e);
    }
  }

  private static Set<String> keys(RowMap rows) {
    Set<String> out = new HashSet<>();
    for (RowMap.Entry e : rows) {
      out.add(e.key());
    }
    return out;
  }

  @Test
  void publishesGetGapFreeSeqsAndReachTheFeedInOrder() {
    Fixture f = fixture(Bounds.defaults());
    PublishOutcome one = await(f.sequencer().publish(publish("t", null, "a")));
    PublishOutcome two = await(f.sequencer().publish(publish("t", null, "b", "c", "a")));
    assertThat(one.status()).isEqualTo(Status.APPLIED);
    assertThat(one.firstSeq()).isEqualTo(1);
    assertThat(one.lastSeq()).isEqualTo(1);
    assertThat(two.firstSeq()).isEqualTo(2);
    assertThat(two.lastSeq()).isEqualTo(4);
    assertThat(two.epoch()).isEqualTo(one.epoch());
    Topic replica = f.replica("t");
    assertThat(replica.view().seq()).isEqualTo(4);
    assertThat(keys(replica.view().rows())).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(f.feed().events("t")).extracting(ChangeEvent::seq).containsExactly(1L, 2L, 3L, 4L);
  }

  /** Many producers, many topics: per topic the feed gets 1..N exactly once, in order. */
  @Test
  void concurrentProducersStillGiveEachTopicOneOrderedHistory() throws Exception {
    Fixture f = fixture(new Bounds(10_000, 1_000, 64L << 20, 100));
    int producers = 4;
    int perProducer = 300;
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    try {
      List<Future<List<PublishOutcome>>> done = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int id = p;
        done.add(
            pool.submit(
                () -> {
                  List<CompletionStage<PublishOutcome>> mine = new ArrayList<>();
                  for (int i = 0; i < perProducer; i++) {
                    mine.add(
                        f.sequencer().publish(publish("t" + (i % 5), null, "p" + id + "-" + i)));
                  }
                  List<PublishOutcome> out = new ArrayList<>();
                  for (CompletionStage<PublishOutcome> s : mine) {
                    out.add(await(s));
                  }
                  return out;
                }));
      }
      for (Future<List<PublishOutcome>> d : done) {
        assertThat(d.get(30, TimeUnit.SECONDS)).allMatch(o -> o.status() == Status.APPLIED);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int t = 0; t < 5; t++) {
      List<ChangeEvent> events = f.feed().events("t" + t);
      assertThat(events).hasSize(producers * perProducer / 5);
      for (int i = 0; i < events.size(); i++) {
        assertThat(events.get(i).seq()).isEqualTo(i + 1);
      }
      assertThat(f.replica("t" + t).view().seq()).isEqualTo(events.size());
    }
  }

  /** Guarantee 10: a retry with the same key gets the first answer and applies nothing again. */
  @Test
  void aRepeatedKeyGetsTheFirstAnswerAndAppliesOnce() {
    Fixture f = fixture(Bounds.defaults());
    PublishOutcome first = await(f.sequencer().publish(publish("t", "k1", "a", "b")));
    PublishOutcome again = await(f.sequencer().publish(publish("t", "k1", "a", "b")));
    assertThat(first.status()).isEqualTo(Status.APPLIED);
    assertThat(again.status()).isEqualTo(Status.DUPLICATE);
    assertThat(again.isApplied()).isTrue();
    assertThat(again.epoch()).isEqualTo(first.epoch());
    assertThat(again.firstSeq()).isEqualTo(first.firstSeq());
    assertThat(again.lastSeq()).isEqualTo(first.lastSeq());
    assertThat(f.replica("t").view().seq()).isEqualTo(2);
    assertThat(f.feed().events("t")).hasSize(2);
  }

  @Test
  void theSameKeyWithOtherChangesConflictsAndAppliesNothing() {
    Fixture f = fixture(Bounds.defaults());
    await(f.sequencer().publish(publish("t", "k1", "a")));
    PublishOutcome other = await(f.sequencer().publish(publish("t", "k1", "b")));
    assertThat(other.status()).isEqualTo(Status.CONFLICT);
    assertThat(other.status().error().wireName()).isEqualTo("idempotency-conflict");
    assertThat(f.replica("t").view().seq()).isEqualTo(1);
    assertThat(keys(f.replica("t").view().rows())).containsExactly("a");
  }

  @Test
  void keysArePerTopic() {
    Fixture f = fixture(Bounds.defaults());
    assertThat(await(f.sequencer().publish(publish("t1", "k", "a"))).status())
        .isEqualTo(Status.APPLIED);
    assertThat(await(f.sequencer().publish(publish("t2", "k", "b"))).status())
        .isEqualTo(Status.APPLIED);
  }

  /** A key leaves the window after {@code idempotencyWindow} newer keys of its topic. */
  @Test
  void theDedupeWindowHoldsTheLastKeysOfTheTopic() {
    Fixture f = fixture(new Bounds(64, 2, 64L << 20, 100));
    await(f.sequencer().publish(publish("t", "k1", "a")));
    await(f.sequencer().publish(publish("t", "k2", "a")));
    assertThat(await(f.sequencer().publish(publish("t", "k1", "a"))).status())
        .as("still inside")
        .isEqualTo(Status.DUPLICATE);
    await(f.sequencer().publish(publish("t", "k3", "a")));
    assertThat(await(f.sequencer().publish(publish("t", "k1", "a"))).status())
        .as("pushed out by k2 and k3")
        .isEqualTo(Status.APPLIED);
    assertThat(await(f.sequencer().publish(publish("t", "k3", "a"))).status())
        .isEqualTo(Status.DUPLICATE);
  }

  /** A retry while the first is still in flight gets the first's answer when it comes. */
  @Test
  void repeatsWhileTheFirstIsInFlightShareItsAnswer() {
    Fixture f = fixture(Bounds.defaults());
    Runnable release = f.hold();
    List<CompletionStage<PublishOutcome>> stages = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      stages.add(f.sequencer().publish(publish("t", "same", "a", "b")));
    }
    PublishOutcome conflict = await(f.sequencer().publish(publish("t", "same", "c")));
    assertThat(conflict.status()).as("known at once: the body differs").isEqualTo(Status.CONFLICT);
    for (CompletionStage<PublishOutcome> s : stages) {
      assertThat(s.toCompletableFuture().isDone()).as("held").isFalse();
    }
    release.run();
    List<PublishOutcome> outcomes = new ArrayList<>();
    for (CompletionStage<PublishOutcome> s : stages) {
      outcomes.add(await(s));
    }
    assertThat(outcomes).allMatch(PublishOutcome::isApplied);
    assertThat(outcomes).extracting(PublishOutcome::firstSeq).containsOnly(1L);
    assertThat(outcomes).extracting(PublishOutcome::lastSeq).containsOnly(2L);
    assertThat(outcomes).filteredOn(o -> o.status() == Status.APPLIED).hasSize(1);
    assertThat(f.replica("t").view().seq()).as("applied once").isEqualTo(2);
  }

  /** Beyond {@code maxPendingPublishes}: refused at once, and nothing refused is ever applied. */
  @Test
  void beyondMaxPendingPublishesIsOverloadedAndNotApplied() {
    Fixture f = fixture(new Bounds(3, 1_000, 64L << 20, 100));
    Runnable release = f.hold();
    List<CompletionStage<PublishOutcome>> stages = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      stages.add(f.sequencer().publish(publish("t", null, "r" + i)));
    }
    Set<String> refused = new HashSet<>();
    for (int i = 3; i < 8; i++) {
      PublishOutcome o = await(stages.get(i));
      assertThat(o.status()).isEqualTo(Status.OVERLOADED);
      assertThat(o.status().error().httpStatus()).isEqualTo(503);
      refused.add("r" + i);
    }
    release.run();
    for (int i = 0; i < 3; i++) {
      assertThat(await(stages.get(i)).status()).isEqualTo(Status.APPLIED);
    }
    Topic replica = f.replica("t");
    assertThat(replica.view().seq()).isEqualTo(3);
    assertThat(keys(replica.view().rows())).containsExactlyInAnyOrder("r0", "r1", "r2");
    assertThat(await(f.sequencer().publish(publish("t", null, "after"))).status())
        .as("the slots are free again")
        .isEqualTo(Status.APPLIED);
    assertThat(keys(replica.view().rows())).doesNotContainAnyElementsOf(refused);
  }

  /**
   * A publish that waits past its deadline is answered when the deadline passes (while sequencing
   * is still held) and never applied afterwards.
   */
  @Test
  void aPublishThatWaitsPastItsDeadlineIsRefusedAndNeverApplied() {
    Fixture f = fixture(Bounds.defaults());
    Runnable release = f.hold();
    List<ChangeRequest> late = List.of(new ChangeRequest(ChangeOp.INSERT, "late", "{}"));
    PublishOutcome expired =
        await(f.sequencer().publish(new Publish("t", late, "kl", 1, clock.millis() + 200)));
    assertThat(expired.status()).isEqualTo(Status.OVERLOADED);
    release.run();
    PublishOutcome next = await(f.sequencer().publish(publish("t", null, "next")));
    assertThat(next.firstSeq()).as("the expired publish took no seq").isEqualTo(1);
    assertThat(keys(f.replica("t").view().rows())).containsExactly("next");
    assertThat(
            await(f.sequencer().publish(new Publish("t", late, "kl", 1, clock.millis() + 30_000)))
                .status())
        .as("its key was not remembered: a retry applies it")
        .isEqualTo(Status.APPLIED);
  }

  /**
   * Regression: the local sequencer forgot a keyed publish's key only in a callback that ran after
   * the caller's own, so a retry made as soon as the deadline's refusal arrived was taken for a
   * repeat of the expired publish and refused again (seen as a flaky failure of the test above).
   * Here the retry runs in the callback of the refusal itself, on the thread that completes it.
   */
  @Test
  void aRetryMadeInTheRefusalsOwnCallbackIsSequencedAnew() {
    Fixture f = fixture(Bounds.defaults());
    Runnable release = f.hold();
    List<ChangeRequest> late = List.of(new ChangeRequest(ChangeOp.INSERT, "late", "{}"));
    CompletableFuture<CompletionStage<PublishOutcome>> retried = new CompletableFuture<>();
    f.sequencer()
        .publish(new Publish("t", late, "kr", 1, clock.millis() + 200))
        .thenAccept(
            expired -> {
              assertThat(expired.status()).isEqualTo(Status.OVERLOADED);
              retried.complete(
                  f.sequencer().publish(new Publish("t", late, "kr", 1, clock.millis() + 30_000)));
            });
    CompletionStage<PublishOutcome> retry = await(retried); // made while sequencing is held
    release.run();
    assertThat(await(retry).status())
        .as("the retry is a new publish, not a repeat of the expired one")
        .isEqualTo(Status.APPLIED);
  }

  @Test
  void aDeadlineAlreadyPassedIsRefusedAtOnce() {
    Fixture f = fixture(Bounds.defaults());
    List<ChangeRequest> one = List.of(new ChangeRequest(ChangeOp.INSERT, "a", "{}"));
    assertThat(
            await(f.sequencer().publish(new Publish("t", one, null, 1, clock.millis() - 1)))
                .status())
        .isEqualTo(Status.OVERLOADED);
    assertThat(f.replica("t")).isNull();
  }

  @Test
  void beyondMaxTopicsIsRefusedAndCreatesNothing() {
    Fixture f = fixture(new Bounds(64, 1_000, 64L << 20, 2));
    await(f.sequencer().publish(publish("a", null, "x")));
    await(f.sequencer().publish(publish("b", null, "x")));
    PublishOutcome c = await(f.sequencer().publish(publish("c", null, "x")));
    assertThat(c.status()).isEqualTo(Status.TOPIC_LIMIT);
    assertThat(f.replica("c")).isNull();
    assertThat(await(f.sequencer().publish(publish("a", null, "y"))).status())
        .isEqualTo(Status.APPLIED);
  }

  /** Beyond the topic-state budget: 507, nothing changed; a delete gives the room back. */
  @Test
  void beyondTheBudgetIsStorageFullAndChangesNothing() {
    Fixture f = fixture(new Bounds(64, 1_000, 256 * 1024, 100));
    String pad = "x".repeat(4_000);
    PublishOutcome last = null;
    int applied = 0;
    for (int i = 0; i < 200; i++) {
      List<ChangeRequest> big =
          List.of(new ChangeRequest(ChangeOp.INSERT, "r" + i, "{\"pad\":\"" + pad + "\"}"));
      last =
          await(f.sequencer().publish(new Publish("t", big, "k" + i, 1, clock.millis() + 30_000)));
      if (last.status() != Status.APPLIED) {
        break;
      }
      applied++;
    }
    assertThat(last.status()).isEqualTo(Status.STORAGE_FULL);
    assertThat(last.status().error().httpStatus()).isEqualTo(507);
    assertThat(applied).as("the budget held a fair number first").isGreaterThan(10);
    Topic replica = f.replica("t");
    assertThat(replica.view().seq()).isEqualTo(applied);
    assertThat(replica.view().rows().size()).isEqualTo(applied);
    assertThat(replica.view().rows().get("r" + applied)).isNull();
    // Smaller publishes may still fit; one as large does not, on any topic.
    List<ChangeRequest> big =
        List.of(new ChangeRequest(ChangeOp.INSERT, "z", "{\"pad\":\"" + pad + "\"}"));
    assertThat(
            await(
                    f.sequencer()
                        .publish(new Publish("other", big, null, 1, clock.millis() + 30_000)))
                .status())
        .isEqualTo(Status.STORAGE_FULL);
    assertThat(f.replica("other")).as("a refused publish leaves no empty topic behind").isNull();

    DeleteOutcome deleted = await(f.sequencer().delete("t", clock.millis() + 30_000));
    assertThat(deleted.status()).isEqualTo(DeleteOutcome.Status.DELETED);
    assertThat(
            await(
                    f.sequencer()
                        .publish(new Publish("other", big, null, 1, clock.millis() + 30_000)))
                .status())
        .as("the delete gave its bytes back")
        .isEqualTo(Status.APPLIED);
  }

  @Test
  void deleteStartsANewEmptyEpochAndTellsTheFeed() {
    Fixture f = fixture(Bounds.defaults());
    PublishOutcome before = await(f.sequencer().publish(publish("t", "k", "a", "b")));
    DeleteOutcome deleted = await(f.sequencer().delete("t", clock.millis() + 30_000));
    assertThat(deleted.status()).isEqualTo(DeleteOutcome.Status.DELETED);
    assertThat(deleted.epoch()).isNotEqualTo(before.epoch());
    Topic replica = f.replica("t");
    assertThat(replica.view().epoch()).isEqualTo(deleted.epoch());
    assertThat(replica.view().seq()).isZero();
    assertThat(replica.view().rows().size()).isZero();
    List<RecordingFeed.Call> calls = f.feed().calls("t");
    assertThat(calls.get(calls.size() - 1).isReset()).isTrue();
    assertThat(calls.get(calls.size() - 1).epoch()).isEqualTo(deleted.epoch());

    PublishOutcome after = await(f.sequencer().publish(publish("t", "k", "a", "b")));
    assertThat(after.status())
        .as("the dedupe window went with the history")
        .isEqualTo(Status.APPLIED);
    assertThat(after.epoch()).isEqualTo(deleted.epoch());
    assertThat(after.firstSeq()).isEqualTo(1);

    assertThat(await(f.sequencer().delete("missing", clock.millis() + 30_000)).status())
        .isEqualTo(DeleteOutcome.Status.NOT_FOUND);
  }

  @Test
  void idleNeverFailsAndKeepsPublishedTopics() {
    Fixture f = fixture(Bounds.defaults());
    await(f.sequencer().publish(publish("t", null, "a")));
    f.sequencer().idle("t");
    f.sequencer().idle("never-seen");
    // Ordered after the idle checks on the same shard: the published topic is still there.
    assertThat(await(f.sequencer().publish(publish("t", null, "b"))).firstSeq()).isEqualTo(2);
  }

  /**
   * The threads a fixture runs its sequencer on: single-thread shards, and a scheduled executor
   * for deadlines. Thread-safe; close it with the fixture.
   */
  protected static final class Threads implements AutoCloseable {
    private final List<ExecutorService> shards = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    public Threads(int shards) {
      for (int i = 0; i < shards; i++) {
        int shard = i;
        this.shards.add(Executors.newSingleThreadExecutor(r -> new Thread(r, "shard-" + shard)));
      }
    }

    /** The shards, in order. */
    public List<ExecutorService> shards() {
      return shards;
    }

    /** A deadline timer: runs {@code task} after {@code delayMillis}; the result cancels it. */
    public Runnable schedule(long delayMillis, Runnable task) {
      ScheduledFuture<?> f = timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    }

    /** Holds every shard still until the returned action runs ({@link Fixture#hold}). */
    public Runnable hold() {
      return holdAll(shards);
    }

    @Override
    public void close() {
      shards.forEach(ExecutorService::shutdownNow);
      timer.shutdownNow();
    }
  }

  /** Sequencing is held by a latch for the length of a test step; helpers for fixtures. */
  protected static Runnable holdAll(List<? extends java.util.concurrent.Executor> executors) {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(executors.size());
    for (java.util.concurrent.Executor e : executors) {
      e.execute(
          () -> {
            held.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          });
    }
    try {
      held.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    return release::countDown;
  }
}
