package io.slipstream.cluster.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.cluster.log.AppendOutcome;
import io.slipstream.cluster.log.FakeTopicAuthority;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.Position;
import io.slipstream.core.topic.Row;
import io.slipstream.core.topic.RowMap;
import io.slipstream.core.topic.Topic;
import io.slipstream.core.topic.TopicView;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The feed on one (non-clustered) Vert.x against {@link FakeTopicAuthority}, for the paths a
 * healthy cluster rarely takes: an unconfirmed tip, a fill the ring no longer covers, snapshots the
 * backup cannot confirm yet, and the {@code maxTopics} bound. Tip checks run only when the test
 * calls {@link ClusterFeed#memberRemoved}.
 */
class ClusterFeedTest {

  private static final String TOPIC = "orders";

  private final Vertx vertx = Vertx.vertx();
  private final ExecutorService shard = Executors.newSingleThreadExecutor();
  private final FakeTopicAuthority authority = new FakeTopicAuthority();
  private final RecordingFeed recorder = new RecordingFeed();
  private FakeReplicas replicas = new FakeReplicas(10, 1_000);
  private ClusterFeed feed;
  private int published;

  @AfterEach
  void stop() throws Exception {
    if (feed != null) {
      feed.stop().await(10, TimeUnit.SECONDS);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
    shard.shutdownNow();
  }

  /**
   * A tip from a primary that died with seqs its backup never confirmed names seqs the authority no
   * longer has. Handed to the reorder as it is, each fill comes back short and the reorder asks
   * again at once: a read loop at the speed of the authority, until a publish fills the seqs. The
   * feed forgets such a tip after the first short answer.
   */
  @Test
  void aTipAheadOfTheConfirmedHistoryIsForgottenAfterOneRead() throws Exception {
    start();
    String epoch = publish(TOPIC, 3);
    recorder.awaitSeq(TOPIC, epoch, 3, "node");

    authority.tipAhead(TOPIC, 2);
    feed.memberRemoved();
    awaitTrue(() -> authority.rangeReads() >= 1);
    authority.tipAhead(TOPIC, 0);
    publish(TOPIC, 1);
    recorder.awaitSeq(TOPIC, epoch, 4, "node");

    // A loop would have read thousands of times while the fourth change went round.
    assertThat(authority.rangeReads()).isEqualTo(1);
    assertThat(feed.stats().replicaLagSeqs()).isZero();
    assertThat(feed.stats().tipRepairs()).isEqualTo(1);
  }

  @Test
  void aGapTheRingNoLongerCoversIsResyncedFromASnapshotAndTheSubscribersReset() throws Exception {
    start();
    String epoch = publish(TOPIC, 3);
    recorder.awaitSeq(TOPIC, epoch, 3, "node");

    // Seqs 4..8 are lost on the way, and the ring has moved past 4 and 5 meanwhile.
    feed.dropInbound(b -> b.firstSeq() == 4);
    publish(TOPIC, 5);
    authority.evictBefore(TOPIC, 7);
    publish(TOPIC, 1);
    recorder.awaitSeq(TOPIC, epoch, 9, "node");

    List<RecordingFeed.Entry> got = recorder.of(TOPIC);
    RecordingFeed.Entry last = got.get(got.size() - 1);
    assertThat(last.reset()).as("restored, not applied change by change").isNotNull();
    assertThat(rows(last.reset())).isEqualTo(rows(authority.rows(TOPIC)));
    assertThat(feed.stats().resyncs()).isEqualTo(1);
    Topic replica = replicas.find(TOPIC);
    // The snapshot's tail refills the replay log with what the ring still has: from 7 on.
    assertThat(replica.canReplayFrom(new Position(epoch, 6))).isTrue();
    assertThat(replica.canReplayFrom(new Position(epoch, 5))).isFalse();
  }

  @Test
  void aSnapshotTheBackupCannotConfirmYetIsRetriedAndTheBootstrapWaitsForIt() throws Exception {
    String epoch = publish(TOPIC, 5);
    authority.unconfirmSnapshots(3);

    start();

    assertThat(authority.snapshotReads()).isEqualTo(4);
    List<RecordingFeed.Entry> got = recorder.of(TOPIC);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).epoch()).isEqualTo(epoch);
    assertThat(got.get(0).seq()).isEqualTo(5);
    assertThat(rows(got.get(0).reset())).isEqualTo(rows(authority.rows(TOPIC)));
  }

  @Test
  void aTopicBeyondMaxTopicsIsCountedAndNotFollowed() throws Exception {
    replicas = new FakeReplicas(1, 1_000);
    start();

    String a = publish("a", 1);
    publish("b", 1);
    publish("a", 1);
    // One shard runs the batches in order: "b" was refused before "a" reached seq 2.
    recorder.awaitSeq("a", a, 2, "node");

    assertThat(replicas.find("b")).isNull();
    assertThat(recorder.of("b")).isEmpty();
    assertThat(feed.stats().topicsRefused()).isEqualTo(1);
    assertThat(feed.stats().topicsFollowed()).isEqualTo(1);
  }

  // ---- Helpers ----

  private void start() throws Exception {
    feed =
        new ClusterFeed(
            vertx,
            authority,
            replicas,
            recorder,
            List.of(shard),
            new ClusterFeed.Settings(new ReorderLimits(1_000, 20, 2_000), 3_600_000, 5, 100, 2));
    feed.start().await(10, TimeUnit.SECONDS);
  }

  /** Appends {@code n} changes in one publish and pushes the batch; returns the epoch. */
  private String publish(String topic, int n) {
    List<ChangeRequest> changes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = ++published;
      changes.add(
          k % 4 == 0
              ? new ChangeRequest(ChangeOp.DELETE, "k" + (k - 1) % 3, null)
              : new ChangeRequest(ChangeOp.UPDATE, "k" + k % 3, "{\"n\":" + k + "}"));
    }
    AppendOutcome out = authority.appendNow(topic, changes, 1_000L + published);
    if (feed != null) {
      feed.published(
          new FeedBatch(
              topic,
              out.epoch(),
              out.firstSeq(),
              authority.changes(topic, out.firstSeq(), out.lastSeq())));
    }
    return out.epoch();
  }

  private static Map<String, Row> rows(TopicView v) {
    return rows(v.rows());
  }

  private static Map<String, Row> rows(RowMap rows) {
    Map<String, Row> m = new HashMap<>();
    for (RowMap.Entry e : rows) {
      m.put(e.key(), e.row());
    }
    return m;
  }

  /** Polls a counter that no event announces (a read made by the feed's own thread). */
  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("not within 10 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
