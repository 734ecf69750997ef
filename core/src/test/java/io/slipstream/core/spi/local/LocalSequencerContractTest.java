package io.slipstream.core.spi.local;

import io.slipstream.core.spi.FakeReplicas;
import io.slipstream.core.spi.RecordingFeed;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.spi.SequencerContract;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.Topic;

/** The single-node sequencer keeps the {@link SequencerContract}, on two single-thread shards. */
class LocalSequencerContractTest extends SequencerContract {

  @Override
  protected Fixture start(Bounds bounds) {
    return new LocalFixture(bounds);
  }

  /** Two shards on single-thread executors, deadlines on a scheduled executor. */
  static final class LocalFixture implements Fixture {
    final FakeReplicas replicas;
    final RecordingFeed feed = new RecordingFeed();
    final TopicStateBudget budget;
    final Threads threads = new Threads(2);
    final Sequencer sequencer;

    LocalFixture(Bounds bounds) {
      replicas = new FakeReplicas(bounds.maxTopics(), 1_000, 1L << 20);
      budget = new TopicStateBudget(bounds.budgetBytes());
      sequencer =
          LocalSequencers.create(
              replicas,
              feed,
              budget,
              threads.shards(),
              threads::schedule,
              Clock.system(),
              new LocalSequencers.Bounds(bounds.maxPendingPublishes(), bounds.idempotencyWindow()));
    }

    @Override
    public Sequencer sequencer() {
      return sequencer;
    }

    @Override
    public Topic replica(String topic) {
      return replicas.find(topic);
    }

    @Override
    public RecordingFeed feed() {
      return feed;
    }

    @Override
    public Runnable hold() {
      return threads.hold();
    }

    @Override
    public void close() {
      threads.close();
    }
  }
}
