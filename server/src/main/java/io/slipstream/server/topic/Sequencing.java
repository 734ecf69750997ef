package io.slipstream.server.topic;

import com.hazelcast.core.HazelcastInstance;
import io.slipstream.cluster.feed.ClusterFeed;
import io.slipstream.cluster.feed.FeedBatch;
import io.slipstream.cluster.log.LogLimits;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.cluster.sequencer.AppliedFeed;
import io.slipstream.cluster.sequencer.Broadcast;
import io.slipstream.cluster.sequencer.ClusteredSequencer;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.spi.local.DeadlineTimer;
import io.slipstream.core.spi.local.LocalSequencers;
import io.slipstream.core.spi.local.TopicStateBudget;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.Topic;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Wires a node's sequencing. A single node: : the single-node sequencer of core's SPI over the
 * node's {@link TopicRegistry}, its shards on {@link SequencerVerticle} worker contexts, its feed
 * into the hubs ({@link HubFeed}), and the topic-state budget it charges. A cluster member: the
 * cluster's sequencer over the topic authority in Hazelcast, and the cluster's feed applying every
 * committed batch to this node's follower replicas on the same shards, then to the hubs
 * (docs/cluster.md).
 *
 * <p>Threading: publishes are parsed on the edge event loop that received them (HTTP) or on a
 * sequencer context ({@code slipstream.publish}), then queued on the topic's shard; the shard
 * applies them one at a time on its worker thread in the pool {@value SequencerVerticle#POOL},
 * hands the batch to the hubs over the local event bus (each hub delivers on its own loop) and
 * completes the caller's stage, which hops back to the caller's context. Deadline timers are Vert.x
 * timers on the caller's context.
 *
 * <p>Thread-safe; built once per node.
 */
public final class Sequencing {

  /**
   * How long an acknowledged cluster publish waits for this node's replica before it is answered
   * anyway: the feed normally applies it within milliseconds; beyond this something is wrong with
   * this node's feed, and the publish is durable regardless.
   */
  static final long MAX_APPLY_WAIT_MS = 2_000;

  private final Vertx vertx;
  private final SlipstreamConfig config;
  private final TopicRegistry topics;
  private final TopicStateBudget budget;
  private final List<SequencerVerticle.Shard> shards = new ArrayList<>();

  /** The cluster's feed in cluster mode, else null. */
  private final ClusterFeed clusterFeed;

  private final AppliedFeed applied;
  private final MeteredSequencer metered;

  /**
   * Builds the sequencer and attaches it to {@code topics}; {@link #deploy} starts its shards.
   *
   * @param shards how many shards (sequencer threads) share the topics
   * @param cluster this node's Hazelcast member in a cluster, or null for a single node
   */
  public Sequencing(
      Vertx vertx,
      SlipstreamConfig config,
      TopicRegistry topics,
      Metrics metrics,
      int shards,
      HazelcastInstance cluster) {
    this.vertx = vertx;
    this.config = config;
    this.topics = topics;
    this.budget = new TopicStateBudget(config.topicStateBudgetBytes());
    for (int i = 0; i < shards; i++) {
      this.shards.add(new SequencerVerticle.Shard());
    }
    DeadlineTimer timer =
        (delay, task) -> {
          long id = vertx.setTimer(Math.max(1, delay), t -> task.run());
          return () -> vertx.cancelTimer(id);
        };
    if (cluster != null) {
      this.applied = new AppliedFeed(new HubFeed(vertx.eventBus(), metrics));
      TopicAuthority authority =
          TopicAuthority.hazelcast(
              cluster,
              new LogLimits(
                  config.replayLogSize(),
                  config.replayLogBytes(),
                  config.idempotencyWindow(),
                  config.topicStateBudgetBytes()));
      ClusterFeed feed =
          new ClusterFeed(
              vertx,
              authority,
              topics,
              applied,
              this.shards,
              ClusterFeed.Settings.forReplayWindow(config.replayLogSize()));
      this.clusterFeed = feed;
      Broadcast broadcast =
          new Broadcast() {
            @Override
            public void published(FeedBatch batch) {
              feed.published(batch);
            }

            @Override
            public void deleted(String topic, String epoch) {
              feed.deleted(topic, epoch);
            }

            @Override
            public void forgotten(String topic) {
              feed.forget(topic);
            }
          };
      // A subscription announces its topic's epoch only once this node follows the authority's
      // history of it (docs/cluster.md): a topic nobody published to gets its entry first.
      topics.readiness(
          topic -> Future.fromCompletionStage(feed.follow(topic), vertx.getOrCreateContext()));
      ClusteredSequencer clustered =
          new ClusteredSequencer(
              authority,
              topics,
              applied,
              broadcast,
              this.shards,
              timer,
              Clock.system(),
              new ClusteredSequencer.Bounds(
                  config.maxPendingPublishes(), config.topicStateBudgetBytes(), MAX_APPLY_WAIT_MS),
              Topic::newEpoch);
      metered = new MeteredSequencer(clustered, metrics);
      topics.attach(metered);
      inFlightGauge(metrics);
      metrics.gauge(
          "slipstream.topic.state.bytes",
          "Estimated bytes of every replica's rows and replay log (topicStateBudgetBytes)",
          applied::usedBytes);
      metrics.gauge(
          "slipstream.cluster.members",
          "Members of the cluster this node sees",
          () -> cluster.getCluster().getMembers().size());
      metrics.gauge(
          "slipstream.cluster.topics.owned",
          "Topics whose authoritative entry this member holds as primary",
          () -> cluster.getMap(TopicAuthority.MAP_NAME).localKeySet().size());
      metrics.gauge(
          "slipstream.cluster.replica.lag",
          "Seqs this node's replicas are behind the authority, summed over topics",
          () -> feed.stats().replicaLagSeqs());
      metrics.gauge(
          "slipstream.cluster.topics.followed",
          "Topics this node keeps a replica of",
          () -> feed.stats().topicsFollowed());
      metrics.counter(
          "slipstream.cluster.gap.fills",
          "Gaps and lost tails read back from the authority",
          () -> feed.stats().gapFills());
      metrics.counter(
          "slipstream.cluster.tip.repairs",
          "Lost tails found by a tip check",
          () -> feed.stats().tipRepairs());
      metrics.counter(
          "slipstream.cluster.resyncs",
          "Replicas rebuilt from a snapshot",
          () -> feed.stats().resyncs());
      metrics.counter(
          "slipstream.cluster.batches.shed",
          "Batches dropped on arrival because their shard's queue was full (read back later)",
          () -> feed.stats().batchesShed());
      return;
    }
    this.clusterFeed = null;
    this.applied = null;
    Sequencer local =
        LocalSequencers.create(
            topics,
            new HubFeed(vertx.eventBus(), metrics),
            budget,
            this.shards,
            timer,
            Clock.system(),
            new LocalSequencers.Bounds(config.maxPendingPublishes(), config.idempotencyWindow()));
    metered = new MeteredSequencer(local, metrics);
    topics.attach(metered);
    inFlightGauge(metrics);
    metrics.gauge(
        "slipstream.topic.state.bytes",
        "Estimated bytes of every topic's rows, replay log and dedupe window"
            + " (topicStateBudgetBytes)",
        budget::usedBytes);
  }

  /**
   * Deploys one sequencer verticle per shard, then, in a cluster, starts the feed (which brings
   * every topic's replica up to the authority's); the future holds the deployment ids.
   */
  public Future<List<String>> deploy() {
    List<Future<String>> deployed = new ArrayList<>();
    for (SequencerVerticle.Shard shard : shards) {
      deployed.add(
          vertx.deployVerticle(
              new SequencerVerticle(shard, topics, config.publishTimeoutMs(), Clock.system()),
              SequencerVerticle.deployment(shards.size())));
    }
    Future<List<String>> ids = Future.all(deployed).map(all -> all.<String>list());
    if (clusterFeed == null) {
      return ids;
    }
    return ids.compose(list -> clusterFeed.start().map(v -> list));
  }

  private void inFlightGauge(Metrics metrics) {
    metrics.gauge(
        "slipstream.publishes.in.flight",
        "Publishes and deletes asked for and not yet answered",
        metered::inFlight);
  }

  /**
   * Completes once every publish and delete asked for has been answered, or after {@code maxMs}:
   * what a leaving node waits for before it stops its sequencers (checked every 20 ms).
   */
  public Future<Void> quiesce(long maxMs) {
    Promise<Void> done = Promise.promise();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
    quiesceCheck(done, until);
    return done.future();
  }

  private void quiesceCheck(Promise<Void> done, long until) {
    if (metered.inFlight() == 0 || System.nanoTime() >= until) {
      done.tryComplete();
      return;
    }
    vertx.setTimer(20, t -> quiesceCheck(done, until));
  }

  /** Stops the cluster's feed, if any (before the shards go). */
  public Future<Void> stop() {
    return clusterFeed == null ? Future.succeededFuture() : clusterFeed.stop();
  }

  /** The cluster's feed, or null on a single node. */
  public ClusterFeed clusterFeed() {
    return clusterFeed;
  }

  /** The node-wide topic-state budget. */
  public TopicStateBudget budget() {
    return budget;
  }
}
