package io.slipstream.cluster.sequencer;

import io.slipstream.cluster.feed.ClusterFeed;
import io.slipstream.cluster.feed.FeedBatch;
import io.slipstream.cluster.feed.ReorderLimits;
import io.slipstream.cluster.log.LogLimits;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.cluster.member.ClusterSettings;
import io.slipstream.cluster.member.MemberConfig;
import io.slipstream.cluster.testing.MemberPorts;
import io.slipstream.core.spi.FakeReplicas;
import io.slipstream.core.spi.RecordingFeed;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.spi.SequencerContract;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.Topic;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/**
 * The clustered sequencer keeps the {@link SequencerContract} the single-node one keeps, on a real
 * cluster of two Hazelcast members in this JVM (a primary and its backup for every topic): its
 * publishes go through the {@code Append} entry processor and come back to the node's replica
 * through the real {@link ClusterFeed} over the clustered event bus. The members are started once
 * for the class; each test gets an empty topic map, a new feed, replicas and sequencer.
 */
class ClusteredSequencerContractIT extends SequencerContract {

  private static final List<Vertx> MEMBERS = new ArrayList<>();
  private static HazelcastClusterManager first;

  @Override
  protected Fixture start(Bounds bounds) {
    startMembersOnce();
    first.getHazelcastInstance().getMap(TopicAuthority.MAP_NAME).clear();
    return new ClusterFixture(bounds);
  }

  @AfterAll
  static void stopMembers() {
    for (Vertx v : MEMBERS) {
      v.close().await();
    }
    MEMBERS.clear();
    first = null;
  }

  private static synchronized void startMembersOnce() {
    if (first != null) {
      return;
    }
    String name = "slipstream-contract-" + UUID.randomUUID();
    List<String> addresses = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
    for (int i = 0; i < 2; i++) {
      ClusterSettings s =
          new ClusterSettings(
              name,
              "127.0.0.1",
              Integer.parseInt(addresses.get(i).split(":")[1]),
              addresses,
              7,
              2,
              // The production backup-ack timeout: a burst of a thousand publishes queues on the
              // partition threads of a 2-core machine for longer than a test's usual second.
              ClusterSettings.DEFAULT_BACKUP_ACK_TIMEOUT_MS,
              1,
              10_000,
              1,
              5);
      HazelcastClusterManager mgr = new HazelcastClusterManager(MemberConfig.build(s));
      MEMBERS.add(
          Vertx.builder()
              .with(
                  new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
              .withClusterManager(mgr)
              .buildClustered()
              .await());
      if (first == null) {
        first = mgr;
      }
    }
  }

  /** A node: its replicas, its real cluster feed, and the clustered sequencer over them. */
  private static final class ClusterFixture implements Fixture {
    final RecordingFeed feed = new RecordingFeed();
    final FakeReplicas replicas;
    final Threads threads = new Threads(2);
    final ClusterFeed clusterFeed;
    final Sequencer sequencer;

    ClusterFixture(Bounds bounds) {
      replicas = new FakeReplicas(bounds.maxTopics(), 1_000, 1L << 24, true);
      TopicAuthority authority =
          TopicAuthority.hazelcast(
              first.getHazelcastInstance(),
              new LogLimits(1_000, 1L << 24, bounds.idempotencyWindow(), bounds.budgetBytes()));
      AppliedFeed applied = new AppliedFeed(feed);
      Vertx vertx = MEMBERS.get(0);
      clusterFeed =
          new ClusterFeed(
              vertx,
              authority,
              replicas,
              applied,
              threads.shards(),
              new ClusterFeed.Settings(new ReorderLimits(10_000, 100, 3_000), 300, 20, 1_000, 4));
      clusterFeed.start().await();
      sequencer =
          new ClusteredSequencer(
              authority,
              replicas,
              applied,
              new Broadcast() {
                @Override
                public void published(FeedBatch batch) {
                  clusterFeed.published(batch);
                }

                @Override
                public void deleted(String topic, String epoch) {
                  clusterFeed.deleted(topic, epoch);
                }

                @Override
                public void forgotten(String topic) {
                  clusterFeed.forget(topic);
                }
              },
              threads.shards(),
              threads::schedule,
              Clock.system(),
              new ClusteredSequencer.Bounds(
                  bounds.maxPendingPublishes(), bounds.budgetBytes(), 5_000),
              Topic::newEpoch);
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
      clusterFeed.stop().await();
      threads.close();
    }
  }

  private static int freePort() {
    return MemberPorts.free();
  }
}
