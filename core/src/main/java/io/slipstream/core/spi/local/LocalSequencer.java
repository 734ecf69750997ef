package io.slipstream.core.spi.local;

import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.Feed;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.spi.PublishOutcome.Status;
import io.slipstream.core.spi.Replicas;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Topic;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The single-node sequencer: topics split into shards by name, each shard the single writer of its
 * topics on its own ordered executor.
 *
 * <p>Thread-safe. {@link #publish}, {@link #delete} and {@link #idle} may be called from any
 * thread; they check the bounds there, then queue the work on the topic's shard. Everything that
 * writes a topic, its dedupe window or the shard's windows map runs on that shard's executor, one
 * task at a time, which is what makes seqs gap-free without locks. Stages complete there.
 *
 * <p>Bounds (all stated where the structure is declared): per shard at most {@code
 * maxPendingPublishes} publishes and deletes queued or running, at most as many in-flight keys, at
 * most one queued forget check per topic; per topic at most {@code idempotencyWindow} remembered
 * keys; all topics within the {@link TopicStateBudget}.
 */
final class LocalSequencer implements Sequencer {

  private static final System.Logger LOG = System.getLogger(LocalSequencer.class.getName());

  private final Replicas replicas;
  private final Feed feed;
  private final TopicStateBudget budget;
  private final DeadlineTimer timer;
  private final Clock clock;
  private final LocalSequencers.Bounds bounds;
  private final Shard[] shards;

  LocalSequencer(
      Replicas replicas,
      Feed feed,
      TopicStateBudget budget,
      List<? extends Executor> executors,
      DeadlineTimer timer,
      Clock clock,
      LocalSequencers.Bounds bounds) {
    if (executors.isEmpty()) {
      throw new IllegalArgumentException("at least one shard executor is required");
    }
    this.replicas = replicas;
    this.feed = feed;
    this.budget = budget;
    this.timer = timer;
    this.clock = clock;
    this.bounds = bounds;
    this.shards = new Shard[executors.size()];
    for (int i = 0; i < shards.length; i++) {
      shards[i] = new Shard(executors.get(i));
    }
  }

  /** One shard: its executor and what its bounds count. */
  private static final class Shard {
    final Executor executor;

    /** Publishes and deletes queued on the executor or running: at most maxPendingPublishes. */
    final AtomicInteger pending = new AtomicInteger();

    /** Keyed publishes queued or running, by (topic, key): at most maxPendingPublishes. */
    final ConcurrentHashMap<InFlightKey, Task<PublishOutcome>> inFlight = new ConcurrentHashMap<>();

    /** Topics with a forget check queued: at most one per topic the node holds. */
    final Set<String> idleQueued = ConcurrentHashMap.newKeySet();

    /** Per topic of the shard with a remembered key; executor only; at most one per topic. */
    final Map<String, DedupeWindow> windows = new HashMap<>();

    Shard(Executor executor) {
      this.executor = executor;
    }
  }

  private record InFlightKey(String topic, String key) {}

  /**
   * A publish or delete waiting for, or running on, its shard. Exactly one of {@link #begin} (the
   * shard) and {@link #expire} (the deadline timer) wins: the task is then either applied and
   * answered, or answered as expired and never applied.
   */
  private static final class Task<O> {
    static final int QUEUED = 0;
    static final int STARTED = 1;
    static final int EXPIRED = 2;

    final CompletableFuture<O> result = new CompletableFuture<>();
    final AtomicInteger state = new AtomicInteger(QUEUED);
    final BodyDigest digest;
    volatile Runnable cancelTimer = () -> {};

    Task(BodyDigest digest) {
      this.digest = digest;
    }

    boolean begin() {
      if (!state.compareAndSet(QUEUED, STARTED)) {
        return false;
      }
      cancelTimer.run();
      return true;
    }

    boolean expire(O expired) {
      if (!state.compareAndSet(QUEUED, EXPIRED)) {
        return false;
      }
      result.complete(expired);
      return true;
    }
  }

  private Shard shardOf(String topic) {
    return shards[Math.floorMod(topic.hashCode(), shards.length)];
  }

  // ------------------------------------------------------------------ publish

  @Override
  public CompletionStage<PublishOutcome> publish(Publish p) {
    Shard shard = shardOf(p.topic());
    String key = p.idempotencyKey();
    BodyDigest digest = key == null ? null : BodyDigest.of(p.changes());
    InFlightKey flight = key == null ? null : new InFlightKey(p.topic(), key);
    if (flight != null) {
      Task<PublishOutcome> first = shard.inFlight.get(flight);
      if (first != null) {
        return answerRepeat(first, p, digest);
      }
    }
    Task<PublishOutcome> task = new Task<>(digest);
    if (flight != null) {
      Task<PublishOutcome> raced = shard.inFlight.putIfAbsent(flight, task);
      if (raced != null) {
        return answerRepeat(raced, p, digest);
      }
    }
    PublishOutcome expired =
        PublishOutcome.refused(
            Status.OVERLOADED, p.topic(), "the publish waited past its deadline; not applied");
    CompletionStage<PublishOutcome> queued =
        enqueue(
            shard,
            task,
            p.deadline(),
            expired,
            PublishOutcome.refused(
                Status.OVERLOADED,
                p.topic(),
                "the topic's sequencer holds "
                    + bounds.maxPendingPublishes()
                    + " pending publishes (maxPendingPublishes); not applied"),
            () -> applyPublish(shard, p, digest),
            e -> PublishOutcome.refused(Status.INDETERMINATE, p.topic(), describe(e)));
    if (flight != null) {
      // Whatever the answer (applied, refused, expired), the key is no longer in flight; a
      // retry from now on is answered from the window, or sequenced anew. The caller gets the
      // stage that completes after the removal: a retry made as soon as it hears the answer must
      // not be taken for a repeat of a publish that is over.
      return queued.whenComplete((o, e) -> shard.inFlight.remove(flight, task));
    }
    return queued;
  }

  /** A repeat of a keyed publish that is still queued or running: the first's answer. */
  private static CompletionStage<PublishOutcome> answerRepeat(
      Task<PublishOutcome> first, Publish p, BodyDigest digest) {
    if (!first.digest.equals(digest)) {
      return CompletableFuture.completedFuture(conflict(p));
    }
    return first.result.thenApply(o -> o.isApplied() ? o.asDuplicate() : o);
  }

  private static PublishOutcome conflict(Publish p) {
    return PublishOutcome.refused(
        Status.CONFLICT,
        p.topic(),
        "Idempotency-Key " + p.idempotencyKey() + " was used with other changes; not applied");
  }

  /** Runs on the shard: dedupe, topic, budget, apply, remember, feed. */
  private PublishOutcome applyPublish(Shard shard, Publish p, BodyDigest digest) {
    String name = p.topic();
    String key = p.idempotencyKey();
    DedupeWindow window = shard.windows.get(name);
    if (key != null && window != null) {
      DedupeWindow.Seen seen = window.get(key);
      if (seen != null) {
        return seen.digest().equals(digest) ? seen.outcome().asDuplicate() : conflict(p);
      }
    }
    Topic topic = replicas.open(name);
    if (topic == null) {
      return PublishOutcome.refused(
          Status.TOPIC_LIMIT, name, "the server holds its maximum number of topics (maxTopics)");
    }
    Topic.Prepared batch = topic.prepare(p.changes(), p.ts());
    long growth = batch.growthBytes() + (key == null ? 0 : DedupeWindow.entryBytes(key));
    if (!budget.tryReserve(growth)) {
      // A topic this publish created, and nothing else holds, should not stay behind empty.
      replicas.forgetIfIdle(name);
      return PublishOutcome.refused(
          Status.STORAGE_FULL,
          name,
          "the node's topic state would pass topicStateBudgetBytes ("
              + budget.limitBytes()
              + "); not applied");
    }
    long before = topic.footprint();
    List<ChangeEvent> events = topic.commit(batch);
    // The projection equals what the log did; should they ever differ, the books follow the log.
    budget.release(batch.growthBytes() - (topic.footprint() - before));
    PublishOutcome applied =
        PublishOutcome.applied(
            name, events.get(0).epoch(), events.get(0).seq(), events.get(events.size() - 1).seq());
    if (key != null) {
      if (window == null) {
        window = new DedupeWindow(bounds.idempotencyWindow());
        shard.windows.put(name, window);
      }
      budget.release(window.remember(key, digest, applied));
    }
    try {
      feed.committed(topic, events);
    } catch (RuntimeException e) {
      // Applied all the same: subscribers that missed the batch see the next one skip a seq and
      // catch up from the replay log.
      LOG.log(Level.WARNING, "feed failed for " + name + "; subscribers will catch up", e);
    }
    return applied;
  }

  // ------------------------------------------------------------------ delete

  @Override
  public CompletionStage<DeleteOutcome> delete(String topic, long deadline) {
    Shard shard = shardOf(topic);
    return enqueue(
        shard,
        new Task<>(null),
        deadline,
        DeleteOutcome.refused(
            DeleteOutcome.Status.OVERLOADED, topic, "the delete waited past its deadline"),
        DeleteOutcome.refused(
            DeleteOutcome.Status.OVERLOADED,
            topic,
            "the topic's sequencer holds "
                + bounds.maxPendingPublishes()
                + " pending operations (maxPendingPublishes)"),
        () -> applyDelete(shard, topic),
        e -> DeleteOutcome.refused(DeleteOutcome.Status.INDETERMINATE, topic, describe(e)));
  }

  private DeleteOutcome applyDelete(Shard shard, String name) {
    Topic topic = replicas.find(name);
    if (topic == null) {
      return DeleteOutcome.refused(DeleteOutcome.Status.NOT_FOUND, name, "no topic " + name);
    }
    long before = topic.footprint();
    String epoch = topic.reset();
    budget.release(before - topic.footprint());
    DedupeWindow window = shard.windows.remove(name);
    if (window != null) {
      budget.release(window.bytes());
    }
    try {
      feed.reset(topic, epoch);
    } catch (RuntimeException e) {
      // Subscribers notice the new epoch with the next batch instead.
      LOG.log(Level.WARNING, "feed failed to reset " + name, e);
    }
    return DeleteOutcome.deleted(name, epoch);
  }

  // ------------------------------------------------------------------ idle

  @Override
  public void idle(String topic) {
    Shard shard = shardOf(topic);
    if (!shard.idleQueued.add(topic)) {
      return; // a check is already queued and will see the latest state
    }
    try {
      shard.executor.execute(
          () -> {
            shard.idleQueued.remove(topic);
            replicas.forgetIfIdle(topic);
          });
    } catch (RejectedExecutionException shuttingDown) {
      shard.idleQueued.remove(topic);
    }
  }

  // ------------------------------------------------------------------ queueing

  /**
   * Queues {@code work} on the shard unless it is full; arms the deadline. The task leaves the
   * pending count only when the shard takes it off its queue, expired or not, so the count bounds
   * what the executor really holds.
   */
  private <O> CompletionStage<O> enqueue(
      Shard shard,
      Task<O> task,
      long deadline,
      O expired,
      O full,
      Supplier<O> work,
      Function<RuntimeException, O> failed) {
    if (shard.pending.incrementAndGet() > bounds.maxPendingPublishes()) {
      shard.pending.decrementAndGet();
      task.result.complete(full);
      return task.result;
    }
    long delay = deadline - clock.millis();
    if (delay <= 0) {
      shard.pending.decrementAndGet();
      task.expire(expired);
      return task.result;
    }
    task.cancelTimer = timer.schedule(delay, () -> task.expire(expired));
    try {
      shard.executor.execute(() -> run(shard, task, deadline, expired, work, failed));
    } catch (RejectedExecutionException e) {
      shard.pending.decrementAndGet();
      task.cancelTimer.run();
      task.expire(full);
    }
    return task.result;
  }

  private <O> void run(
      Shard shard,
      Task<O> task,
      long deadline,
      O expired,
      Supplier<O> work,
      Function<RuntimeException, O> failed) {
    try {
      // The deadline is checked here too, not only by the timer: a timer that runs late (its
      // thread busy) must not let a publish apply after its deadline.
      if (clock.millis() >= deadline) {
        task.expire(expired);
        return;
      }
      if (!task.begin()) {
        return; // expired while queued: answered already, never applied
      }
      O outcome;
      try {
        outcome = work.get();
      } catch (RuntimeException e) {
        LOG.log(Level.ERROR, "sequencing failed", e);
        outcome = failed.apply(e);
      }
      task.result.complete(outcome);
    } finally {
      shard.pending.decrementAndGet();
    }
  }

  private static String describe(RuntimeException e) {
    return "the outcome is unknown ("
        + e.getClass().getSimpleName()
        + "); retry with the same"
        + " Idempotency-Key";
  }
}
