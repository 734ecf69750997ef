package io.slipstream.server.topic;

import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.spi.local.DeadlineTimer;
import io.slipstream.core.spi.local.LocalSequencers;
import io.slipstream.core.spi.local.TopicStateBudget;
import io.slipstream.core.time.Clock;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Wires a node's sequencing: the single-node sequencer of core's SPI over the node's {@link
 * TopicRegistry}, its shards on {@link SequencerVerticle} worker contexts, its feed into the hubs
 * ({@link HubFeed}), and the topic-state budget it charges.
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

  private final Vertx vertx;
  private final SlipstreamConfig config;
  private final TopicRegistry topics;
  private final TopicStateBudget budget;
  private final List<SequencerVerticle.Shard> shards = new ArrayList<>();

  /**
   * Builds the sequencer and attaches it to {@code topics}; {@link #deploy} starts its shards.
   *
   * @param shards how many shards (sequencer threads) share the topics
   */
  public Sequencing(
      Vertx vertx, SlipstreamConfig config, TopicRegistry topics, Metrics metrics, int shards) {
    this.vertx = vertx;
    this.config = config;
    this.topics = topics;
    this.budget = new TopicStateBudget(config.topicStateBudgetBytes());
    for (int i = 0; i < shards; i++) {
      this.shards.add(new SequencerVerticle.Shard());
    }
    DeadlineTimer timer =
        (delay, task) -> {
          long id = vertx.setTimer(delay, t -> task.run());
          return () -> vertx.cancelTimer(id);
        };
    Sequencer local =
        LocalSequencers.create(
            topics,
            new HubFeed(vertx.eventBus(), metrics),
            budget,
            this.shards,
            timer,
            Clock.system(),
            new LocalSequencers.Bounds(config.maxPendingPublishes(), config.idempotencyWindow()));
    topics.attach(new MeteredSequencer(local, metrics));
    metrics.gauge(
        "slipstream.topic.state.bytes",
        "Estimated bytes of every topic's rows, replay log and dedupe window"
            + " (topicStateBudgetBytes)",
        budget::usedBytes);
  }

  /** Deploys one sequencer verticle per shard; the future holds their deployment ids. */
  public Future<List<String>> deploy() {
    List<Future<String>> deployed = new ArrayList<>();
    for (SequencerVerticle.Shard shard : shards) {
      deployed.add(
          vertx.deployVerticle(
              new SequencerVerticle(shard, topics, config.publishTimeoutMs(), Clock.system()),
              SequencerVerticle.deployment(shards.size())));
    }
    return Future.all(deployed).map(all -> all.<String>list());
  }

  /** The node-wide topic-state budget. */
  public TopicStateBudget budget() {
    return budget;
  }
}
