package io.slipstream.core.spi.local;

import io.slipstream.core.spi.FakeReplicas;
import io.slipstream.core.spi.RecordingFeed;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.spi.SequencerContract;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
    final List<ExecutorService> shards = new ArrayList<>();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final Sequencer sequencer;

    LocalFixture(Bounds bounds) {
      replicas = new FakeReplicas(bounds.maxTopics(), 1_000, 1L << 20);
      budget = new TopicStateBudget(bounds.budgetBytes());
      for (int i = 0; i < 2; i++) {
        int shard = i;
        shards.add(Executors.newSingleThreadExecutor(r -> new Thread(r, "sequencer-" + shard)));
      }
      sequencer =
          LocalSequencers.create(
              replicas,
              feed,
              budget,
              shards,
              this::schedule,
              Clock.system(),
              new LocalSequencers.Bounds(bounds.maxPendingPublishes(), bounds.idempotencyWindow()));
    }

    Runnable schedule(long delayMillis, Runnable task) {
      ScheduledFuture<?> f = timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
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
      return holdAll(shards);
    }

    @Override
    public void close() {
      shards.forEach(ExecutorService::shutdownNow);
      timer.shutdownNow();
    }
  }
}
