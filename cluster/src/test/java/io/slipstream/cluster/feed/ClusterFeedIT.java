package io.slipstream.cluster.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.slipstream.cluster.log.AppendOutcome;
import io.slipstream.cluster.log.AppendRequest;
import io.slipstream.cluster.log.LogLimits;
import io.slipstream.cluster.log.LoggedChange;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.cluster.member.ClusterSettings;
import io.slipstream.cluster.member.MemberConfig;
import io.slipstream.cluster.testing.MemberPorts;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.Row;
import io.slipstream.core.topic.RowMap;
import io.slipstream.core.topic.TopicView;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The clustered feed on three (then four) clustered Vert.x + Hazelcast members in this JVM, each
 * with its own replicas, two single-thread shards and a {@link RecordingFeed}; joined by TCP-IP on
 * 127.0.0.1 under a unique cluster name with fast failure detection. Publishes go through {@code
 * authority.append} on every member and {@link ClusterFeed#published}, as the clustered sequencer
 * does. The steps share one cluster and build on each other's histories.
 *
 * <p>Every step checks the same contract on every node ({@link #assertFollowed}): after its last
 * reset, the node's feed got each seq up to the authority's last exactly once, in order, in the
 * authority's epoch; and the rows the reset restored are the rows of the history up to its seq.
 */
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class ClusterFeedIT {

  private static final String ORDERS = "orders";
  private static final String PRICES = "prices";
  private static final String WARMUP = "warmup";

  /** Node 2 checks tips only when told a member left, so its tail repair is that call's. */
  private static final int SLOW_TIPS = 2;

  private final String clusterName = "slipstream-feed-it-" + UUID.randomUUID();
  private final List<String> addresses = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();

  /** Every appended change by topic and seq: the model the replicas are checked against. */
  private final Map<String, NavigableMap<Long, LoggedChange>> history = new ConcurrentHashMap<>();

  private final Map<String, String> epochs = new ConcurrentHashMap<>();
  private final AtomicInteger publishes = new AtomicInteger();

  /** One member: clustered Vert.x, its authority view, replicas, shards, feed and recorder. */
  private static final class Node {
    final String name;
    final Vertx vertx;
    final HazelcastInstance hz;
    final TopicAuthority authority;
    final FakeReplicas replicas = new FakeReplicas(100, 1_000);
    final RecordingFeed recorder = new RecordingFeed();
    final List<ExecutorService> shards =
        List.of(Executors.newSingleThreadExecutor(), Executors.newSingleThreadExecutor());
    final ClusterFeed feed;

    Node(String name, Vertx vertx, HazelcastInstance hz, ClusterFeed.Settings settings) {
      this.name = name;
      this.vertx = vertx;
      this.hz = hz;
      this.authority = TopicAuthority.hazelcast(hz, LogLimits.DEFAULTS);
      this.feed = new ClusterFeed(vertx, authority, replicas, recorder, shards, settings);
    }
  }

  @BeforeAll
  void startThreeNodesAndWarmUp() throws Exception {
    for (int i = 0; i < 4; i++) {
      addresses.add("127.0.0.1:" + freePort());
    }
    for (int i = 0; i < 3; i++) {
      nodes.add(startNode(i).await(60, TimeUnit.SECONDS));
    }
    for (Node n : nodes) {
      n.feed.start().await(30, TimeUnit.SECONDS);
    }
    // A consumer's registration reaches the other nodes a little after it completes: warm up,
    // and repair any tail lost meanwhile by a tip check on every node.
    publishRound(WARMUP, 2);
    nodes.forEach(n -> n.feed.memberRemoved());
    for (Node n : nodes) {
      assertFollowed(n, WARMUP);
    }
  }

  @AfterAll
  void stopNodes() throws Exception {
    // For the record in the test output: what each node's feed had to do.
    nodes.forEach(n -> System.out.println(n.name + " " + n.feed.stats()));
    List<Future<Void>> closing = new ArrayList<>();
    for (Node n : nodes) {
      n.feed.stop();
      closing.add(n.vertx.close());
      n.shards.forEach(ExecutorService::shutdownNow);
    }
    Future.join(closing).await(60, TimeUnit.SECONDS);
  }

  @Test
  @Order(1)
  void publishesOnEveryNodeReachEveryNodeOnceInOrder() throws Exception {
    publishRound(ORDERS, 20);
    publishRound(PRICES, 5);

    for (Node n : nodes) {
      assertFollowed(n, ORDERS);
      assertFollowed(n, PRICES);
      assertThat(n.feed.stats().topicsFollowed()).isEqualTo(3);
    }
  }

  @Test
  @Order(2)
  void droppedBatchesAreFilledAndALostTailIsRepairedByATipCheck() throws Exception {
    Node lossy = nodes.get(1);
    Node slow = nodes.get(SLOW_TIPS);
    long fillsBefore = lossy.feed.stats().gapFills();
    AtomicInteger arrivals = new AtomicInteger();
    lossy.feed.dropInbound(b -> arrivals.incrementAndGet() % 3 == 0);

    publishRound(ORDERS, 20);
    for (Node n : nodes) {
      assertFollowed(n, ORDERS);
    }
    assertThat(lossy.feed.stats().gapFills()).isGreaterThan(fillsBefore);
    lossy.feed.dropInbound(null);

    // The last change is lost on its way to the slow node: only a tip check can tell.
    long repairsBefore = slow.feed.stats().tipRepairs();
    slow.feed.dropInbound(b -> true);
    publish(0, ORDERS).get(30, TimeUnit.SECONDS);
    awaitAll(ORDERS, n -> n != slow);
    slow.feed.memberRemoved();

    assertFollowed(slow, ORDERS);
    slow.feed.dropInbound(null);
    assertThat(slow.feed.stats().tipRepairs()).isGreaterThan(repairsBefore);
    assertThat(slow.feed.stats().replicaLagSeqs()).isZero();
  }

  @Test
  @Order(3)
  void aLateNodeBootstrapsFromASnapshotWhilePublishesGoOnAndContinues() throws Exception {
    long before = lastSeq(ORDERS);
    AtomicBoolean joined = new AtomicBoolean();
    CompletableFuture<Void> background =
        CompletableFuture.runAsync(
            () -> {
              // Publishes while the late node joins and bootstraps, so batches reach it mid-sync.
              for (int i = 0; i < 200 && !joined.get(); i++) {
                try {
                  publish(i % 3, ORDERS).get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              }
            });
    Node late = startNode(3).await(60, TimeUnit.SECONDS);
    nodes.add(late);
    late.feed.start().await(30, TimeUnit.SECONDS);
    joined.set(true);
    background.get(60, TimeUnit.SECONDS);
    publishRound(ORDERS, 5);

    for (Node n : nodes) {
      assertFollowed(n, ORDERS);
      assertFollowed(n, PRICES);
      assertFollowed(n, WARMUP);
    }
    List<RecordingFeed.Entry> got = late.recorder.of(ORDERS);
    assertThat(got.get(0).reset()).as("the late node starts from a restore").isNotNull();
    assertThat(got.get(0).seq())
        .as("restored at or after the history it joined")
        .isGreaterThanOrEqualTo(before);
    assertThat(late.recorder.of(PRICES)).hasSize(1);
    assertThat(late.recorder.of(PRICES).get(0).seq()).isEqualTo(lastSeq(PRICES));
    // Snapshot consistency: every node's replica holds the same rows at the same seq.
    for (Node n : nodes) {
      assertThat(rows(n.replicas.find(ORDERS).view()))
          .as(n.name)
          .isEqualTo(rows(nodes.get(0).replicas.find(ORDERS).view()));
    }
  }

  @Test
  @Order(4)
  void aHistoryLostOnBothCopiesEmptiesEveryReplicaAndTheNextEpochIsFollowedFromItsStart()
      throws Exception {
    String lost = epochs.get(PRICES);
    Map<Node, Long> resyncsBefore = new HashMap<>();
    nodes.forEach(n -> resyncsBefore.put(n, n.feed.stats().resyncs()));
    // As if primary and backup died together: the entry is gone, the next append starts anew.
    nodes.get(0).hz.getMap(TopicAuthority.MAP_NAME).delete(PRICES);
    for (Node n : nodes) {
      n.feed.memberRemoved();
      n.recorder.awaitResetFrom(PRICES, lost, n.name);
      TopicView emptied = n.replicas.find(PRICES).view();
      assertThat(emptied.seq()).isZero();
      assertThat(emptied.rows().size()).isZero();
      assertThat(n.feed.stats().resyncs()).isGreaterThan(resyncsBefore.get(n));
    }

    history.remove(PRICES);
    epochs.remove(PRICES);
    publishRound(PRICES, 4);

    assertThat(epochs.get(PRICES)).isNotEqualTo(lost);
    for (Node n : nodes) {
      assertFollowed(n, PRICES);
    }
  }

  // ---- Checks ----

  /**
   * Waits until {@code n} stands at the topic's last seq, then checks what its feed got: after the
   * last reset (whose rows are the history's at its seq) each next seq once, in order, in the
   * topic's one epoch; and the replica's rows at the end are the history's.
   */
  private void assertFollowed(Node n, String topic) throws InterruptedException {
    String epoch = epochs.get(topic);
    long last = lastSeq(topic);
    n.recorder.awaitSeq(topic, epoch, last, n.name);

    List<RecordingFeed.Entry> got = n.recorder.of(topic);
    int from = 0;
    for (int i = 0; i < got.size(); i++) {
      if (got.get(i).reset() != null) {
        from = i;
      }
    }
    RecordingFeed.Entry reset = got.get(from);
    assertThat(reset.reset()).as("%s %s: a reset starts the history", n.name, topic).isNotNull();
    assertThat(reset.epoch()).isEqualTo(epoch);
    assertThat(rows(reset.reset()))
        .as("%s %s: rows restored at %d", n.name, topic, reset.seq())
        .isEqualTo(modelRows(topic, reset.seq()));
    long expected = reset.seq();
    for (RecordingFeed.Entry e : got.subList(from + 1, got.size())) {
      expected++;
      assertThat(e.epoch()).isEqualTo(epoch);
      assertThat(e.seq()).as("%s %s: next seq", n.name, topic).isEqualTo(expected);
      LoggedChange c = history.get(topic).get(expected);
      assertThat(e.event().key()).isEqualTo(c.key());
      assertThat(e.event().row()).isEqualTo(c.row());
    }
    assertThat(expected).as("%s %s: up to the last seq", n.name, topic).isEqualTo(last);
    TopicView end = n.replicas.find(topic).view();
    assertThat(end.seq()).isEqualTo(last);
    assertThat(rows(end)).isEqualTo(modelRows(topic, last));
  }

  private void awaitAll(String topic, Predicate<Node> which) throws InterruptedException {
    for (Node n : nodes) {
      if (which.test(n)) {
        n.recorder.awaitSeq(topic, epochs.get(topic), lastSeq(topic), n.name);
      }
    }
  }

  private long lastSeq(String topic) {
    NavigableMap<Long, LoggedChange> h = history.get(topic);
    return h == null || h.isEmpty() ? 0 : h.lastKey();
  }

  /** The rows after applying the history's changes 1..{@code seq}. */
  private Map<String, Row> modelRows(String topic, long seq) {
    Map<String, Row> rows = new HashMap<>();
    for (Map.Entry<Long, LoggedChange> e : history.get(topic).headMap(seq, true).entrySet()) {
      LoggedChange c = e.getValue();
      if (c.op() == ChangeOp.DELETE) {
        rows.remove(c.key());
      } else {
        rows.put(c.key(), new Row(c.row(), c.ts()));
      }
    }
    return rows;
  }

  private static Map<String, Row> rows(TopicView v) {
    Map<String, Row> rows = new HashMap<>();
    for (RowMap.Entry e : v.rows()) {
      rows.put(e.key(), e.row());
    }
    return rows;
  }

  // ---- Publishing ----

  /** {@code perNode} publishes from each of the first three nodes, all in flight together. */
  private void publishRound(String topic, int perNode) throws Exception {
    List<CompletableFuture<AppendOutcome>> calls = new ArrayList<>();
    for (int j = 0; j < perNode; j++) {
      for (int m = 0; m < 3; m++) {
        calls.add(publish(m, topic));
      }
    }
    CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
  }

  /**
   * Appends one or two changes through node {@code m}'s authority and pushes the batch from that
   * node, as the clustered sequencer does after a 200. Every fifth change is a delete.
   */
  private CompletableFuture<AppendOutcome> publish(int m, String topic) {
    int n = publishes.incrementAndGet();
    String id = "p" + n;
    long ts = 1_000_000L + n;
    List<ChangeRequest> changes = new ArrayList<>();
    for (int i = 0; i < 1 + n % 2; i++) {
      int k = n * 3 + i;
      changes.add(
          k % 5 == 4
              ? new ChangeRequest(ChangeOp.DELETE, "k" + k % 7, null)
              : new ChangeRequest(ChangeOp.UPDATE, "k" + k % 7, "{\"n\":" + k + "}"));
    }
    Node node = nodes.get(m);
    return append(node, AppendRequest.of(topic, id, changes, ts))
        .thenApply(
            out -> {
              List<LoggedChange> logged = new ArrayList<>();
              NavigableMap<Long, LoggedChange> h =
                  history.computeIfAbsent(topic, t -> new ConcurrentSkipListMap<>());
              long seq = out.firstSeq();
              for (ChangeRequest c : changes) {
                LoggedChange lc = new LoggedChange(c.op(), c.key(), c.row(), ts, id);
                logged.add(lc);
                h.put(seq++, lc);
              }
              String known = epochs.putIfAbsent(topic, out.epoch());
              assertThat(known == null ? out.epoch() : known).isEqualTo(out.epoch());
              node.feed.published(new FeedBatch(topic, out.epoch(), out.firstSeq(), logged));
              return out;
            });
  }

  /** Appends, retrying an indeterminate answer with the same id as a producer retries a 503. */
  private static CompletableFuture<AppendOutcome> append(Node node, AppendRequest r) {
    return node.authority
        .append(r)
        .toCompletableFuture()
        .thenCompose(
            out -> {
              if (out.kind() == AppendOutcome.Kind.INDETERMINATE) {
                return append(node, r);
              }
              assertThat(out.applied()).as("%s: %s", r.publishId(), out).isTrue();
              return CompletableFuture.completedFuture(out);
            });
  }

  // ---- Cluster ----

  private Future<Node> startNode(int i) {
    ClusterSettings s =
        new ClusterSettings(
            clusterName,
            "127.0.0.1",
            Integer.parseInt(addresses.get(i).split(":")[1]),
            addresses,
            7,
            2,
            1_000,
            1,
            10_000,
            1,
            5);
    HazelcastClusterManager mgr = new HazelcastClusterManager(MemberConfig.build(s));
    ClusterFeed.Settings settings =
        new ClusterFeed.Settings(
            new ReorderLimits(10_000, 100, 3_000), i == SLOW_TIPS ? 600_000 : 300, 20, 1_000, 4);
    return Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
        .withClusterManager(mgr)
        .buildClustered()
        .map(vertx -> new Node("node" + i, vertx, mgr.getHazelcastInstance(), settings));
  }

  private static int freePort() throws IOException {
    return MemberPorts.free();
  }
}
