package io.slipstream.cluster.sequencer;

import io.slipstream.cluster.feed.FeedBatch;
import io.slipstream.cluster.log.AppendOutcome;
import io.slipstream.cluster.log.AppendRequest;
import io.slipstream.cluster.log.DeleteResult;
import io.slipstream.cluster.log.LoggedChange;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.spi.PublishOutcome.Status;
import io.slipstream.core.spi.Replicas;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.spi.local.DeadlineTimer;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Core's {@link Sequencer} for a cluster: the {@link TopicAuthority} (one Hazelcast entry per
 * topic, on a primary and its backup) gives the seqs; what it committed is pushed to every node
 * through the {@link Broadcast}, whose feed applies it to the node's replica in seq order.
 *
 * <p>A publish passes the same gates as on a single node before it reaches Hazelcast: its deadline,
 * {@code maxPendingPublishes} per shard (queued or waiting for Hazelcast), the node's topic-state
 * budget (over every replica: every node follows every topic) and {@code maxTopics} (the node's
 * replicas). It queues on its topic's shard, the thread that also applies the feed to the replica,
 * so a held shard holds both. Then one {@code Append} entry processor (docs/cluster.md): answered
 * once it is on both copies; the answer waits until this node's replica holds it too
 * (read-your-writes for the publishing node's subscribers), at most {@code maxApplyWaitMs}.
 *
 * <p>Idempotency (guarantee 10): the key is the publish id the authority dedupes on, across nodes
 * and across Hazelcast's own retries; a publish without a key gets a random id, so Hazelcast's
 * retries never apply it twice either. A repeat of a key still in flight on this node shares its
 * answer, or is a conflict at once if its body differs, without a second call.
 *
 * <p>Outcomes: Hazelcast's indeterminate failures and a deadline that passes while the call is out
 * are {@code INDETERMINATE} (retry with the same key); split-brain protection below {@code
 * cluster.minMembers} is {@code NO_QUORUM}; a log over its {@code LogLimits} is {@code
 * STORAGE_FULL}.
 *
 * <p>Thread-safe: stages complete on Hazelcast's, the timer's or a shard's thread.
 */
public final class ClusteredSequencer implements Sequencer {

  /**
   * The node's bounds on publishing.
   *
   * @param maxPendingPublishes publishes queued or out per shard ({@code maxPendingPublishes})
   * @param budgetBytes bytes all replicas of the node may hold ({@code topicStateBudgetBytes})
   * @param maxApplyWaitMs how long an acknowledged publish waits for this node's replica before it
   *     is answered anyway (it is durable; only read-your-writes on this node is given up)
   */
  public record Bounds(int maxPendingPublishes, long budgetBytes, long maxApplyWaitMs) {
    public Bounds {
      if (maxPendingPublishes < 1 || budgetBytes < 1 || maxApplyWaitMs < 0) {
        throw new IllegalArgumentException("bounds must be positive");
      }
    }
  }

  private final TopicAuthority authority;
  private final Replicas replicas;
  private final AppliedFeed applied;
  private final Broadcast broadcast;
  private final List<? extends Executor> shards;
  private final AtomicInteger[] pending;
  private final DeadlineTimer timer;
  private final Clock clock;
  private final Bounds bounds;
  private final Supplier<String> epochs;

  /** Keyed publishes out on this node; bounded by the pending publishes. */
  private final ConcurrentHashMap<String, Keyed> inFlight = new ConcurrentHashMap<>();

  /**
   * @param applied the feed decorator the node's cluster feed calls, for read-your-writes and the
   *     budget
   * @param shards the node's sequencer shards; a topic's work runs on {@code shards[hash % n]}, the
   *     same one its feed uses
   * @param epochs new epochs, for a topic's first publish and for deletes
   */
  public ClusteredSequencer(
      TopicAuthority authority,
      Replicas replicas,
      AppliedFeed applied,
      Broadcast broadcast,
      List<? extends Executor> shards,
      DeadlineTimer timer,
      Clock clock,
      Bounds bounds,
      Supplier<String> epochs) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("at least one shard");
    }
    this.authority = authority;
    this.replicas = replicas;
    this.applied = applied;
    this.broadcast = broadcast;
    this.shards = List.copyOf(shards);
    this.pending = new AtomicInteger[shards.size()];
    for (int i = 0; i < pending.length; i++) {
      pending[i] = new AtomicInteger();
    }
    this.timer = timer;
    this.clock = clock;
    this.bounds = bounds;
    this.epochs = epochs;
  }

  /** The shard of {@code topic}: the function the cluster feed and the local sequencer use. */
  public static int shardOf(String topic, int shards) {
    return Math.floorMod(topic.hashCode(), shards);
  }

  @Override
  public CompletionStage<PublishOutcome> publish(Publish p) {
    String topic = p.topic();
    long now = clock.millis();
    if (now >= p.deadline()) {
      return done(Status.OVERLOADED, topic, "the publish deadline passed before it began");
    }
    long hash = AppendRequest.hashOf(p.changes());
    Keyed mine = null;
    if (p.idempotencyKey() != null) {
      mine = new Keyed(hash);
      Keyed prior = inFlight.putIfAbsent(topic + '\u0000' + p.idempotencyKey(), mine);
      if (prior != null) {
        if (prior.bodyHash != hash) {
          return done(Status.CONFLICT, topic, "the Idempotency-Key was used with other changes");
        }
        return prior.answer.thenApply(o -> o.isApplied() ? o.asDuplicate() : o);
      }
    }
    int shard = shardOf(topic, shards.size());
    if (pending[shard].incrementAndGet() > bounds.maxPendingPublishes()) {
      pending[shard].decrementAndGet();
      PublishOutcome refused =
          PublishOutcome.refused(Status.OVERLOADED, topic, "too many publishes pending");
      if (mine != null) {
        inFlight.remove(topic + '\u0000' + p.idempotencyKey(), mine);
        mine.answer.complete(refused);
      }
      return CompletableFuture.completedFuture(refused);
    }
    Attempt a = new Attempt(p, hash, shard, mine);
    a.cancelDeadline = timer.schedule(p.deadline() - now, a::deadlinePassed);
    if (!run(shard, a::begin)) {
      a.notRunning();
    }
    return a.answer;
  }

  @Override
  public CompletionStage<DeleteOutcome> delete(String topic, long deadline) {
    long now = clock.millis();
    if (now >= deadline) {
      return CompletableFuture.completedFuture(
          DeleteOutcome.refused(
              DeleteOutcome.Status.OVERLOADED, topic, "the deadline passed before it began"));
    }
    int shard = shardOf(topic, shards.size());
    if (pending[shard].incrementAndGet() > bounds.maxPendingPublishes()) {
      pending[shard].decrementAndGet();
      return CompletableFuture.completedFuture(
          DeleteOutcome.refused(
              DeleteOutcome.Status.OVERLOADED, topic, "too many operations pending"));
    }
    CompletableFuture<DeleteOutcome> answer = new CompletableFuture<>();
    boolean queued =
        run(
            shard,
            () -> {
              if (clock.millis() >= deadline) {
                pending[shard].decrementAndGet();
                answer.complete(
                    DeleteOutcome.refused(
                        DeleteOutcome.Status.OVERLOADED, topic, "not begun before its deadline"));
                return;
              }
              authority
                  .delete(topic, epochs.get())
                  .whenComplete(
                      (r, error) -> {
                        pending[shard].decrementAndGet();
                        deleted(topic, r, error, deadline, answer);
                      });
            });
    if (!queued) {
      pending[shard].decrementAndGet();
      answer.complete(
          DeleteOutcome.refused(
              DeleteOutcome.Status.OVERLOADED, topic, "the node is not sequencing (stopping)"));
    }
    return answer;
  }

  private void deleted(
      String topic,
      DeleteResult r,
      Throwable error,
      long deadline,
      CompletableFuture<DeleteOutcome> answer) {
    if (error != null || r.kind() == DeleteResult.Kind.INDETERMINATE) {
      answer.complete(
          DeleteOutcome.refused(
              DeleteOutcome.Status.INDETERMINATE,
              topic,
              error == null
                  ? "the outcome is unknown: retry"
                  : "the outcome is unknown: " + error));
      return;
    }
    switch (r.kind()) {
      case ABSENT ->
          answer.complete(
              DeleteOutcome.refused(DeleteOutcome.Status.NOT_FOUND, topic, "no such topic"));
      case NO_QUORUM ->
          answer.complete(
              DeleteOutcome.refused(
                  DeleteOutcome.Status.NO_QUORUM, topic, "too few cluster members (no-quorum)"));
      default -> {
        broadcast.deleted(topic, r.epoch());
        DeleteOutcome ok = DeleteOutcome.deleted(topic, r.epoch());
        Topic replica = replicas.open(topic);
        if (replica == null) {
          answer.complete(ok);
          return;
        }
        waitForReplica(replica, r.epoch(), 0, () -> answer.complete(ok));
      }
    }
  }

  @Override
  public void idle(String topic) {
    run(
        shardOf(topic, shards.size()),
        () -> {
          replicas.forgetIfIdle(topic);
          if (replicas.find(topic) == null) {
            applied.forgotten(topic);
            broadcast.forgotten(topic);
            // The empty entry its subscribers made goes too (the authority keeps any entry with
            // a change), so that subscribing to names cannot fill the cluster; a node that still
            // follows the empty topic gives it back in the same epoch.
            authority.removeIfEmpty(topic);
          }
        });
  }

  /** Queues {@code task} on the shard; false when the shard refuses (not running). */
  private boolean run(int shard, Runnable task) {
    try {
      shards.get(shard).execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Runs {@code then} once this node's replica holds the seq, or after {@code maxApplyWaitMs}. */
  private void waitForReplica(Topic replica, String epoch, long seq, Runnable then) {
    AtomicInteger once = new AtomicInteger();
    Runnable run =
        () -> {
          if (once.compareAndSet(0, 1)) {
            then.run();
          }
        };
    Object[] handle = new Object[1];
    Runnable cancelTimer =
        timer.schedule(
            bounds.maxApplyWaitMs(),
            () -> {
              applied.cancel(replica.name(), handle[0]);
              run.run();
            });
    handle[0] =
        applied.whenApplied(
            replica,
            epoch,
            seq,
            () -> {
              cancelTimer.run();
              run.run();
            });
  }

  private static CompletionStage<PublishOutcome> done(Status status, String topic, String why) {
    return CompletableFuture.completedFuture(PublishOutcome.refused(status, topic, why));
  }

  /** What the bytes of {@code changes} add to a replica at most: its rows and its log. */
  private static long estimate(List<ChangeRequest> changes) {
    long bytes = 0;
    for (ChangeRequest c : changes) {
      long text = c.key().length() + (c.row() == null ? 0 : c.row().length());
      // The row, the logged event (frame, key and row) and their overheads: an estimate that errs
      // high, as Topic's own does.
      bytes += Topic.ROW_OVERHEAD_BYTES + Topic.EVENT_OVERHEAD_BYTES + 3 * text + 128;
    }
    return bytes;
  }

  /** A keyed publish out on this node: repeats share its answer. */
  private static final class Keyed {
    final long bodyHash;
    final CompletableFuture<PublishOutcome> answer = new CompletableFuture<>();

    Keyed(long bodyHash) {
      this.bodyHash = bodyHash;
    }
  }

  /** One publish from its shard to its answer. */
  private final class Attempt {
    private static final int QUEUED = 0;
    private static final int BEGUN = 1;
    private static final int EXPIRED = 2;

    final Publish p;
    final long hash;
    final int shard;
    final Keyed keyed;
    final CompletableFuture<PublishOutcome> answer;
    final AtomicInteger state = new AtomicInteger(QUEUED);
    volatile Runnable cancelDeadline = () -> {};

    /** The authority's answer once known, before the replica caught up. */
    volatile PublishOutcome known;

    Attempt(Publish p, long hash, int shard, Keyed keyed) {
      this.p = p;
      this.hash = hash;
      this.shard = shard;
      this.keyed = keyed;
      this.answer = keyed != null ? keyed.answer : new CompletableFuture<>();
    }

    /** On the topic's shard. */
    void begin() {
      if (!state.compareAndSet(QUEUED, BEGUN)) {
        return;
      }
      String topic = p.topic();
      if (applied.usedBytes() + estimate(p.changes()) > bounds.budgetBytes()) {
        release();
        answer(PublishOutcome.refused(Status.STORAGE_FULL, topic, "beyond topicStateBudgetBytes"));
        return;
      }
      Topic replica = replicas.open(topic);
      if (replica == null) {
        release();
        answer(PublishOutcome.refused(Status.TOPIC_LIMIT, topic, "the node holds maxTopics"));
        return;
      }
      String id = p.idempotencyKey() != null ? p.idempotencyKey() : UUID.randomUUID().toString();
      // A topic this node follows empty keeps its epoch if the authority has no entry for it
      // (its subscribers were told that epoch): the candidate is only used for an absent entry.
      String candidate = replica.view().seq() == 0 ? replica.view().epoch() : epochs.get();
      CompletionStage<AppendOutcome> call;
      try {
        call = authority.append(new AppendRequest(topic, id, p.changes(), p.ts(), hash), candidate);
      } catch (RuntimeException e) {
        release();
        answer(PublishOutcome.refused(Status.INDETERMINATE, topic, "the outcome is unknown: " + e));
        return;
      }
      call.whenComplete(
          (o, error) -> {
            release();
            answered(replica, id, o, error);
          });
    }

    private void answered(Topic replica, String id, AppendOutcome o, Throwable error) {
      String topic = p.topic();
      if (error != null) {
        answer(
            PublishOutcome.refused(
                Status.INDETERMINATE, topic, "the outcome is unknown: " + error));
        return;
      }
      switch (o.kind()) {
        case APPENDED, REPEATED -> {
          PublishOutcome ok = PublishOutcome.applied(topic, o.epoch(), o.firstSeq(), o.lastSeq());
          if (o.kind() == AppendOutcome.Kind.APPENDED) {
            broadcast.published(
                new FeedBatch(topic, o.epoch(), o.firstSeq(), logged(p.changes(), p.ts(), id)));
          } else {
            ok = ok.asDuplicate();
          }
          PublishOutcome outcome = ok;
          known = outcome;
          waitForReplica(replica, o.epoch(), o.lastSeq(), () -> answer(outcome));
        }
        case CONFLICT ->
            refuse(replica, Status.CONFLICT, "the Idempotency-Key was used with other changes");
        case FULL -> refuse(replica, Status.STORAGE_FULL, "the topic's log is at its bounds");
        case NO_QUORUM ->
            refuse(replica, Status.NO_QUORUM, "too few cluster members for two copies (no-quorum)");
        default ->
            answer(
                PublishOutcome.refused(
                    Status.INDETERMINATE,
                    topic,
                    "the outcome is unknown: retry with the same Idempotency-Key"));
      }
    }

    private void refuse(Topic replica, Status status, String why) {
      if (replica.view().seq() == 0) {
        idle(p.topic());
      }
      answer(PublishOutcome.refused(status, p.topic(), why));
    }

    /** The shard would not take it: the node is stopping. */
    void notRunning() {
      if (state.compareAndSet(QUEUED, EXPIRED)) {
        release();
        answer(
            PublishOutcome.refused(
                Status.OVERLOADED, p.topic(), "the node is not sequencing (stopping)"));
      }
    }

    /** The deadline timer: not begun yet, never will be; begun, the outcome is not known. */
    void deadlinePassed() {
      if (state.compareAndSet(QUEUED, EXPIRED)) {
        release();
        answer(
            PublishOutcome.refused(
                Status.OVERLOADED, p.topic(), "not begun before its deadline (publishTimeoutMs)"));
        return;
      }
      PublishOutcome k = known;
      answer(
          k != null
              ? k
              : PublishOutcome.refused(
                  Status.INDETERMINATE,
                  p.topic(),
                  "no answer from the cluster before the deadline: retry with the same"
                      + " Idempotency-Key"));
    }

    private void release() {
      pending[shard].decrementAndGet();
    }

    private void answer(PublishOutcome o) {
      if (keyed != null) {
        inFlight.remove(p.topic() + '\u0000' + p.idempotencyKey(), keyed);
      }
      cancelDeadline.run();
      answer.complete(o);
    }
  }

  private static List<LoggedChange> logged(List<ChangeRequest> changes, long ts, String id) {
    List<LoggedChange> out = new ArrayList<>(changes.size());
    for (ChangeRequest c : changes) {
      out.add(new LoggedChange(c.op(), c.key(), c.row(), ts, id));
    }
    return out;
  }
}
