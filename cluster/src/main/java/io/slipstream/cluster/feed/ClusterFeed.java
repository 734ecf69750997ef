package io.slipstream.cluster.feed;

import io.slipstream.cluster.log.LogTip;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.core.spi.Feed;
import io.slipstream.core.spi.Replicas;
import io.slipstream.core.topic.Topic;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * This node's end of the cluster's feed: every committed batch, pushed by whichever node published
 * it, is put in seq order per topic, gap-filled and tail-checked against the {@link
 * TopicAuthority}, applied to the topic's local replica and then handed to the node's own {@link
 * Feed} (shared/notes/cluster.md §3.5).
 *
 * <p>Threading: thread-safe. Each topic belongs to one of the node's sequencer shards by a stable
 * hash ({@code floorMod(topic.hashCode(), shards)}, as the single-node sequencer shards), and
 * everything that touches its reorder or its replica (a pushed batch, a fill's or a snapshot's
 * answer, a tip, a poll) runs on that shard, so each replica keeps one writer and the read side
 * (hub, subscriptions, buffers) reads it as it reads a single node's topic. Event-bus handlers,
 * timers and Hazelcast's callbacks only hop onto the shards.
 *
 * <p>Design: <b>every node follows every topic</b>. Each node keeps a replica of each topic the
 * authority holds, from its start (bootstrap by validated snapshot) or from the topic's first
 * batch, so subscribe, snapshot and replay stay local and synchronous and the read side does not
 * change. The price is memory per node for every topic, bounded by the node's {@code maxTopics}
 * ({@link Replicas#open} refuses beyond it; such a topic is counted and not followed) and per topic
 * by the authority's {@code LogLimits} (rows) and the replica's own replay window.
 *
 * <p>Delivery: batches travel on one cluster-wide address, {@link #ADDRESS}, that every node
 * consumes (not a local consumer), best effort and unordered across publishers; the reorder drops
 * duplicates, asks for a validated range read when a gap has waited {@code gapWaitMs}, and a tip
 * check every {@code tipCheckMs} finds a lost tail (one to two periods after the loss: a seq counts
 * as lost once the primary has had it for a whole period), at once after {@link #memberRemoved}. A
 * history that changed under the node (another epoch, changes out of the ring) is resynced from a
 * validated snapshot: the replica is restored and the node's feed is told {@link Feed#reset}, so
 * its subscribers get {@code reset} and a new snapshot (docs/protocol.md §4).
 *
 * <p>Bounds: per topic what its reorder holds ({@link ReorderLimits}); the followed topics by
 * {@code maxTopics}; batches handed to a shard and not yet run by {@link #MAX_QUEUED_BATCHES} per
 * shard (beyond, a batch is shed: the authority still has it, and a fill brings it back); snapshot
 * reads in flight by {@link Settings#maxConcurrentSnapshots()}, the others queued once per topic;
 * tip checks by one round at a time in calls of at most {@link #TIP_BATCH} topics.
 */
public final class ClusterFeed {

  /** The cluster-wide address every node consumes committed batches on. */
  public static final String ADDRESS = "slipstream.changes";

  /**
   * Where a {@code DELETE} is announced ({@code topic '\n' epoch}): every node checks the topic's
   * tip at once instead of at its next periodic check, and resets its replica onto the new epoch.
   */
  public static final String RESETS = "slipstream.resets";

  /**
   * How long a subscription waits for its topic to be followed live ({@link #follow}) before it
   * goes on with what the replica has: a snapshot read or an entry creation takes milliseconds;
   * without a quorum it could take forever.
   */
  public static final long FOLLOW_TIMEOUT_MS = 3_000;

  /** How often a consumer registration that failed is tried before the feed fails to start. */
  static final int REGISTER_ATTEMPTS = 5;

  /** The most topics one tip call asks about. */
  static final int TIP_BATCH = 1_000;

  /** Pushed batches waiting for a shard, per shard, beyond which more are shed. */
  static final int MAX_QUEUED_BATCHES = 10_000;

  /** The first retry of a failed bootstrap listing waits this long, each further one twice. */
  private static final long LIST_RETRY_BASE_MS = 100;

  private static final long LIST_RETRY_MAX_MS = 5_000;

  private static final System.Logger LOG = System.getLogger(ClusterFeed.class.getName());

  /**
   * The feed's timings and bounds.
   *
   * <p>Immutable.
   *
   * @param reorder each topic's reorder bounds and gap timings
   * @param tipCheckMs how often the followed topics' tips are checked for a lost tail, ms
   * @param pollMs how often waiting reorders are polled (gap waits, fill timeouts), ms; well under
   *     {@code reorder.gapWaitMs()}
   * @param snapshotTailEvents the changes a snapshot brings for the replica's replay log: the
   *     replica's replay window, at most {@link TopicAuthority#MAX_READ_EVENTS}; older positions
   *     get a snapshot
   * @param maxConcurrentSnapshots snapshot reads in flight at once on this node (each can carry a
   *     topic's rows, up to the authority's {@code maxRowBytes})
   */
  public record Settings(
      ReorderLimits reorder,
      long tipCheckMs,
      long pollMs,
      int snapshotTailEvents,
      int maxConcurrentSnapshots) {

    /** Default {@code tipCheckMs}: 1,000 ms (shared/notes/cluster.md §3.5: every ~1–2 s). */
    public static final long DEFAULT_TIP_CHECK_MS = 1_000;

    /** Default {@code pollMs}: 50 ms, a third of the default gap wait. */
    public static final long DEFAULT_POLL_MS = 50;

    /** Default {@code snapshotTailEvents}: the most one read returns, 10,000 changes. */
    public static final int DEFAULT_SNAPSHOT_TAIL_EVENTS = TopicAuthority.MAX_READ_EVENTS;

    /** Default {@code maxConcurrentSnapshots}: 4. */
    public static final int DEFAULT_MAX_CONCURRENT_SNAPSHOTS = 4;

    /** The defaults above with {@link ReorderLimits#DEFAULTS}. */
    public static final Settings DEFAULTS =
        new Settings(
            ReorderLimits.DEFAULTS,
            DEFAULT_TIP_CHECK_MS,
            DEFAULT_POLL_MS,
            DEFAULT_SNAPSHOT_TAIL_EVENTS,
            DEFAULT_MAX_CONCURRENT_SNAPSHOTS);

    public Settings {
      if (reorder == null) {
        throw new IllegalArgumentException("reorder limits are required");
      }
      if (tipCheckMs < 1 || pollMs < 1) {
        throw new IllegalArgumentException("tipCheckMs and pollMs must be positive");
      }
      if (snapshotTailEvents < 0 || snapshotTailEvents > TopicAuthority.MAX_READ_EVENTS) {
        throw new IllegalArgumentException(
            "snapshotTailEvents must be 0.."
                + TopicAuthority.MAX_READ_EVENTS
                + ", was "
                + snapshotTailEvents);
      }
      if (maxConcurrentSnapshots < 1) {
        throw new IllegalArgumentException("maxConcurrentSnapshots must be at least 1");
      }
    }

    /** The defaults with a snapshot tail of the replica's replay window, capped at the read max. */
    public static Settings forReplayWindow(int replayLogSize) {
      return DEFAULTS.withSnapshotTailEvents(
          Math.min(Math.max(replayLogSize, 0), TopicAuthority.MAX_READ_EVENTS));
    }

    /** These settings with another {@code snapshotTailEvents}. */
    public Settings withSnapshotTailEvents(int tailEvents) {
      return new Settings(reorder, tipCheckMs, pollMs, tailEvents, maxConcurrentSnapshots);
    }
  }

  /**
   * The feed's counters, for metrics and {@code /api/cluster}.
   *
   * @param topicsFollowed topics with a replica fed by this feed
   * @param batchesReceived batches that reached this node over the event bus
   * @param duplicatesDropped received batches that held nothing new
   * @param gapFills range reads asked for (gaps and lost tails)
   * @param tipRepairs those of the fills that a tip check found
   * @param resyncs snapshots taken because a history changed under the node (not bootstrap)
   * @param replicaLagSeqs seqs known to exist and not yet in the replicas, summed over topics
   * @param topicsRefused times a topic could not be followed because of {@code maxTopics}
   * @param batchesShed batches dropped because their shard had {@link #MAX_QUEUED_BATCHES} queued
   */
  public record Stats(
      int topicsFollowed,
      long batchesReceived,
      long duplicatesDropped,
      long gapFills,
      long tipRepairs,
      long resyncs,
      long replicaLagSeqs,
      long topicsRefused,
      long batchesShed) {}

  private final Vertx vertx;
  private final TopicAuthority authority;
  private final Replicas replicas;
  private final Feed local;
  private final List<FeedShard> shards;
  private final Settings settings;

  /** The followed topics; bounded by {@code maxTopics} through {@link Replicas#open}. */
  private final Map<String, TopicFollower> followers = new ConcurrentHashMap<>();

  private final SnapshotSlots snapshots;

  private final AtomicBoolean tipRound = new AtomicBoolean();
  private volatile boolean tipAgain;

  /** A member left since the last round began: the next round fills up to the tips at once. */
  private final AtomicBoolean tipUrgent = new AtomicBoolean();

  private final AtomicInteger bootstrapRemaining = new AtomicInteger();
  private final Promise<Void> bootstrapDone = Promise.promise();

  final LongAdder batchesReceived = new LongAdder();
  final LongAdder duplicatesDropped = new LongAdder();
  final LongAdder gapFills = new LongAdder();
  final LongAdder tipRepairs = new LongAdder();
  final LongAdder resyncs = new LongAdder();
  final LongAdder topicsRefused = new LongAdder();
  final LongAdder batchesShed = new LongAdder();

  private volatile boolean stopped;
  private volatile Predicate<FeedBatch> dropInbound;
  private MessageConsumer<FeedBatch> consumer;
  private MessageConsumer<String> resets;
  private long tipTimer = -1;
  private long pollTimer = -1;

  /**
   * @param vertx the clustered Vert.x whose event bus carries the batches
   * @param authority where histories, fills and tips are read
   * @param replicas this node's replicas ({@link Replicas#open} bounds the followed topics)
   * @param local this node's end of the feed, told of every applied batch and every reset
   * @param shards the node's sequencer shards; each runs its tasks one at a time, in order
   * @param settings timings and bounds
   */
  public ClusterFeed(
      Vertx vertx,
      TopicAuthority authority,
      Replicas replicas,
      Feed local,
      List<? extends Executor> shards,
      Settings settings) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("at least one shard is required");
    }
    this.vertx = vertx;
    this.authority = authority;
    this.replicas = replicas;
    this.local = local;
    this.settings = settings;
    this.snapshots = new SnapshotSlots(settings.maxConcurrentSnapshots());
    List<FeedShard> s = new ArrayList<>(shards.size());
    for (Executor e : shards) {
      s.add(new FeedShard(e));
    }
    this.shards = List.copyOf(s);
  }

  /**
   * Consumes {@link #ADDRESS} (awaiting the registration's propagation), starts the timers, then
   * bootstraps every topic the authority holds: the future completes when each is live (or absent,
   * or refused by {@code maxTopics}). Batches arriving meanwhile are held by the reorders. A failed
   * listing (no quorum yet) is retried with backoff until it succeeds or the feed stops.
   */
  public Future<Void> start() {
    try {
      vertx.eventBus().registerDefaultCodec(FeedBatch.class, new FeedBatchCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // Another feed on this Vert.x (a restart) registered the same codec: it is stateless.
    }
    consumer = vertx.eventBus().consumer(ADDRESS, this::received);
    resets = vertx.eventBus().consumer(RESETS, this::resetAnnounced);
    tipTimer = vertx.setPeriodic(settings.tipCheckMs(), id -> checkTips());
    pollTimer = vertx.setPeriodic(settings.pollMs(), id -> pollShards());
    return registered(consumer, ADDRESS, this::received, REGISTER_ATTEMPTS)
        .compose(c -> registered(resets, RESETS, this::resetAnnounced, REGISTER_ATTEMPTS))
        .compose(
            v -> {
              listTopics(0);
              return bootstrapDone.future();
            });
  }

  /**
   * Pushes a batch this node's sequencer appended (after {@code APPENDED}) to every node, this one
   * included, which receives it through the same path as the others.
   */
  public void published(FeedBatch batch) {
    vertx.eventBus().publish(ADDRESS, batch);
  }

  /**
   * The topic was emptied under {@code epoch} on both copies (a {@code DELETE} on this node): tells
   * every node, this one included.
   */
  public void deleted(String topic, String epoch) {
    vertx.eventBus().publish(RESETS, topic + '\n' + epoch);
  }

  private void resetAnnounced(Message<String> m) {
    String body = m.body();
    int nl = body == null ? -1 : body.indexOf('\n');
    if (stopped || nl <= 0) {
      return;
    }
    String topic = body.substring(0, nl);
    String epoch = body.substring(nl + 1);
    FeedShard shard = shardOf(topic);
    run(
        shard,
        () -> {
          TopicFollower f = stopped ? null : follower(shard, topic);
          if (f != null) {
            // As a tip check would find it: another epoch, so the follower resyncs onto it.
            f.tip(epoch, 0, true);
            shard.track(f);
          }
        });
  }

  /**
   * Completes once this node follows {@code topic} live on the authority's history, giving a topic
   * nobody published to yet its empty entry in this node's epoch (so that every node's subscribers
   * are told the epoch its first publish will keep); completes anyway after {@link
   * #FOLLOW_TIMEOUT_MS} or when the topic cannot be followed ({@code maxTopics}). Any thread; the
   * stage completes on the topic's shard or a timer.
   */
  public CompletionStage<Void> follow(String topic) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long timer = vertx.setTimer(FOLLOW_TIMEOUT_MS, id -> done.complete(null));
    done.whenComplete((v, e) -> vertx.cancelTimer(timer));
    FeedShard shard = shardOf(topic);
    run(
        shard,
        () -> {
          TopicFollower f = stopped ? null : follower(shard, topic);
          if (f == null) {
            done.complete(null);
            return;
          }
          f.whenLive(() -> done.complete(null));
          shard.track(f);
        });
    return done;
  }

  /**
   * This node forgot its replica of {@code topic} (nothing published, no subscriber left): drops
   * its follower, so a later subscriber's new replica gets a follower of its own. Any thread.
   */
  public void forget(String topic) {
    FeedShard shard = shardOf(topic);
    run(
        shard,
        () -> {
          TopicFollower f = followers.get(topic);
          if (f != null && replicas.find(topic) != f.replica()) {
            followers.remove(topic);
          }
        });
  }

  /**
   * Waits for {@code c}'s registration to reach the cluster, registering again when it failed: the
   * registration is a write to Vert.x's {@code __vertx.subs} map, which, with
   * fail-on-indeterminate-state on (it is member-wide), fails when its backup does not answer in
   * time on a busy member, although nothing is wrong.
   */
  private <T> Future<Void> registered(
      MessageConsumer<T> c, String address, Handler<Message<T>> handler, int attemptsLeft) {
    return c.completion()
        .recover(
            error -> {
              if (attemptsLeft <= 1 || stopped) {
                return Future.failedFuture(error);
              }
              LOG.log(Level.INFO, "registering " + address + " failed (" + error + "); again");
              return c.unregister()
                  .otherwiseEmpty()
                  .compose(
                      v -> {
                        MessageConsumer<T> again = vertx.eventBus().consumer(address, handler);
                        replace(address, again);
                        return registered(again, address, handler, attemptsLeft - 1);
                      });
            });
  }

  @SuppressWarnings("unchecked")
  private void replace(String address, MessageConsumer<?> again) {
    if (address.equals(ADDRESS)) {
      consumer = (MessageConsumer<FeedBatch>) again;
    } else {
      resets = (MessageConsumer<String>) again;
    }
  }

  /** A member left: checks every followed topic's tip now, for tails lost with it. */
  public void memberRemoved() {
    tipUrgent.set(true);
    checkTips();
  }

  /** Stops consuming and cancels the timers; answers still in flight are ignored. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(tipTimer);
    vertx.cancelTimer(pollTimer);
    bootstrapDone.tryFail("the cluster feed stopped");
    if (consumer == null) {
      return Future.succeededFuture();
    }
    return Future.join(consumer.unregister(), resets.unregister()).mapEmpty();
  }

  /** The counters now; any thread. */
  public Stats stats() {
    long lag = 0;
    for (TopicFollower f : followers.values()) {
      lag += f.lag();
    }
    return new Stats(
        followers.size(),
        batchesReceived.sum(),
        duplicatesDropped.sum(),
        gapFills.sum(),
        tipRepairs.sum(),
        resyncs.sum(),
        lag,
        topicsRefused.sum(),
        batchesShed.sum());
  }

  /**
   * Test hook: batches that reach this node and match {@code drop} are discarded on arrival, as the
   * event bus may lose them; null drops nothing.
   */
  void dropInbound(Predicate<FeedBatch> drop) {
    dropInbound = drop;
  }

  // ---- For the followers ----

  Settings settings() {
    return settings;
  }

  TopicAuthority authority() {
    return authority;
  }

  Feed local() {
    return local;
  }

  boolean stopped() {
    return stopped;
  }

  /**
   * Calls the authority; a call that throws instead of answering (the member is shutting down)
   * becomes a failed stage, so that every caller's failure path runs and no round stays claimed.
   */
  static <T> CompletionStage<T> call(Supplier<CompletionStage<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Runs {@code task} on {@code shard}; a shard that no longer runs (shutdown) drops it. */
  void run(FeedShard shard, Runnable task) {
    try {
      shard.executor.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.log(Level.DEBUG, "a shard refused a feed task (stopping?)", e);
    }
  }

  /** Runs {@code task} after {@code delayMs}, on a Vert.x thread, unless stopped by then. */
  void later(long delayMs, Runnable task) {
    vertx.setTimer(
        delayMs,
        id -> {
          if (!stopped) {
            task.run();
          }
        });
  }

  /** Queues a follower's snapshot read; it runs when one of the slots is free. */
  void submitSnapshot(TopicFollower f) {
    if (!stopped) {
      snapshots.submit(f);
    }
  }

  /** A snapshot read answered: its slot goes to the next queued one. */
  void snapshotFinished() {
    snapshots.finished();
  }

  /** One more bootstrapped topic. */
  void bootstrapped() {
    if (bootstrapRemaining.decrementAndGet() == 0) {
      bootstrapDone.tryComplete();
    }
  }

  // ---- Internals ----

  private void received(Message<FeedBatch> message) {
    FeedBatch b = message.body();
    Predicate<FeedBatch> drop = dropInbound;
    if (stopped || drop != null && drop.test(b)) {
      return;
    }
    batchesReceived.increment();
    FeedShard shard = shardOf(b.topic());
    if (shard.queued.incrementAndGet() > MAX_QUEUED_BATCHES) {
      shard.queued.decrementAndGet();
      batchesShed.increment();
      return;
    }
    try {
      shard.executor.execute(
          () -> {
            shard.queued.decrementAndGet();
            onBatch(shard, b);
          });
    } catch (RejectedExecutionException e) {
      shard.queued.decrementAndGet();
    }
  }

  /** On the batch's shard. */
  private void onBatch(FeedShard shard, FeedBatch b) {
    if (stopped) {
      return;
    }
    TopicFollower f = follower(shard, b.topic());
    if (f != null) {
      f.offer(b);
      shard.track(f);
    }
  }

  /** The topic's follower, created if absent; null when {@code maxTopics} refuses it. On shard. */
  private TopicFollower follower(FeedShard shard, String topic) {
    TopicFollower f = followers.get(topic);
    if (f != null) {
      if (replicas.find(topic) == f.replica()) {
        return f;
      }
      // The node forgot that replica (an idle topic nothing was published to) and may hold a
      // new one: the new one gets its own follower.
      followers.remove(topic);
    }
    Topic replica = replicas.open(topic);
    if (replica == null) {
      topicsRefused.increment();
      long n = topicsRefused.sum();
      if (n == 1 || n % 1_000 == 0) {
        LOG.log(
            Level.WARNING,
            "not following {0}: this node holds maxTopics topics ({1} refusals)",
            topic,
            n);
      }
      return null;
    }
    f = new TopicFollower(topic, replica, this, shard);
    followers.put(topic, f);
    return f;
  }

  private FeedShard shardOf(String topic) {
    return shards.get(Math.floorMod(topic.hashCode(), shards.size()));
  }

  private void listTopics(int failures) {
    if (stopped) {
      return;
    }
    ClusterFeed.<Set<String>>call(authority::topics)
        .whenComplete(
            (topics, error) -> {
              if (error != null) {
                long delay =
                    Math.min(LIST_RETRY_MAX_MS, LIST_RETRY_BASE_MS << Math.min(failures, 10));
                LOG.log(
                    Level.INFO,
                    "cannot list the cluster''s topics yet ({0}); retrying in {1} ms",
                    error,
                    delay);
                later(delay, () -> listTopics(failures + 1));
                return;
              }
              // One extra count, released below, so that the bootstrap cannot complete
              // half-dispatched.
              bootstrapRemaining.set(topics.size() + 1);
              for (String topic : topics) {
                FeedShard shard = shardOf(topic);
                Runnable task =
                    () -> {
                      TopicFollower f = stopped ? null : follower(shard, topic);
                      if (f == null) {
                        bootstrapped();
                        return;
                      }
                      f.bootstrap();
                      shard.track(f);
                    };
                try {
                  shard.executor.execute(task);
                } catch (RejectedExecutionException e) {
                  bootstrapped();
                }
              }
              bootstrapped();
            });
  }

  private void checkTips() {
    if (stopped) {
      return;
    }
    // Asked before the round is claimed, so a request during a round is never lost.
    tipAgain = true;
    if (!tipRound.compareAndSet(false, true)) {
      return;
    }
    tipAgain = false;
    tipChunk(new ArrayList<>(followers.keySet()), 0, tipUrgent.getAndSet(false));
  }

  private void tipChunk(List<String> topics, int from, boolean urgent) {
    if (from >= topics.size() || stopped) {
      tipRound.set(false);
      if (tipAgain) {
        checkTips();
      }
      return;
    }
    int to = Math.min(topics.size(), from + TIP_BATCH);
    Set<String> keys = new HashSet<>(topics.subList(from, to));
    ClusterFeed.<Map<String, LogTip>>call(() -> authority.tips(keys))
        .whenComplete(
            (tips, error) -> {
              if (error != null) {
                LOG.log(Level.DEBUG, "tip check failed", error);
              } else {
                for (Map.Entry<String, LogTip> e : tips.entrySet()) {
                  TopicFollower f = followers.get(e.getKey());
                  LogTip tip = e.getValue();
                  if (f != null && tip != null) {
                    run(
                        f.shard,
                        () -> {
                          if (!stopped) {
                            f.tip(tip.epoch(), tip.lastSeq(), urgent);
                            f.shard.track(f);
                          }
                        });
                  }
                }
              }
              tipChunk(topics, to, urgent);
            });
  }

  private void pollShards() {
    for (FeedShard s : shards) {
      if (s.hasWaiting) {
        run(
            s,
            () -> {
              if (!stopped) {
                s.poll();
              }
            });
      }
    }
  }
}
