package io.slipstream.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slipstream.cluster.log.BackupFaults;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.cluster.member.ClusterSettings;
import io.slipstream.cluster.session.SessionLimits;
import io.slipstream.server.bootstrap.SlipstreamServer;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.metrics.OperatorFiles;
import io.slipstream.server.protocol.ClusterJson;
import io.slipstream.server.testing.RecordingClient;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Three Slipstream nodes in this JVM, each a clustered Vert.x over its own embedded Hazelcast
 * member, joined by TCP-IP on 127.0.0.1 (issue 8, docs/cluster.md). The steps run in order on one
 * cluster, each building on the history the ones before wrote: one history per topic whichever node
 * a change is published on, seen by subscribers on every node once and in order; an {@code
 * Idempotency-Key} retried on another node applies once; a client continues on another node from
 * its position; {@code /api/cluster} reports every member; with too few members publishes are
 * refused 503 {@code no-quorum}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterIT {

  private static final String TOPIC = "orders";
  private static final int PER_NODE = 40;

  private final String clusterName = "slipstream-it-" + UUID.randomUUID();
  private final List<String> addresses = new ArrayList<>();
  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<SlipstreamServer> servers = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The answer of every acknowledged publish: seq → key it wrote. */
  private final Map<Long, String> acked = new ConcurrentHashMap<>();

  private final List<Subscriber> subscribers = new ArrayList<>();
  private String epoch;

  @BeforeAll
  void startThreeNodes() throws Exception {
    for (int i = 0; i < 3; i++) {
      addresses.add("127.0.0.1:" + freePort());
    }
    for (int i = 0; i < 3; i++) {
      nodes.add(startNode(i));
    }
    eventually(
        "three members, partitions safe",
        () ->
            nodes.stream()
                .allMatch(
                    n ->
                        n.hazelcast().getCluster().getMembers().size() == 3
                            && n.hazelcast().getPartitionService().isClusterSafe()));
    for (ClusterNode n : nodes) {
      servers.add(
          SlipstreamServer.start(n, config(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
              .await());
    }
  }

  private static SlipstreamConfig config() {
    return SlipstreamConfig.defaults().toBuilder().port(0).host("127.0.0.1").eventLoops(2).build();
  }

  /** Member {@code i} of the cluster, on its fixed port, with fast failure detection. */
  private ClusterNode startNode(int i) {
    ClusterSettings s =
        new ClusterSettings(
            clusterName,
            "127.0.0.1",
            Integer.parseInt(addresses.get(i).split(":")[1]),
            addresses,
            31,
            2,
            2_000,
            1,
            5_000,
            1,
            5);
    return ClusterNode.start(
            Vertx.builder()
                .with(
                    new VertxOptions()
                        .setEventLoopPoolSize(2)
                        .setEventBusOptions(ClusterNode.eventBus(s))),
            s,
            null,
            SessionLimits.DEFAULTS)
        .await();
  }

  @AfterAll
  void stopNodes() {
    for (Subscriber s : subscribers) {
      s.client.close();
    }
    for (int i = servers.size() - 1; i >= 0; i--) {
      try {
        servers.get(i).shutdown().await();
        nodes.get(i).vertx().close().await();
      } catch (RuntimeException ignored) {
        // The no-quorum step stopped some already.
      }
    }
  }

  /**
   * Subscribers on every node of a topic nobody has published to are told one epoch, the one its
   * first publish keeps: the first change reaches each of them as seq 1, no reset. (Before, each
   * node made up an epoch of its own and every early subscriber got a reset at the first publish.)
   * When the last subscriber leaves a topic that never got a change, its empty entry leaves the
   * authority too.
   */
  @Test
  @Order(0)
  void subscribersBeforeTheFirstPublishShareItsEpochAndGetNoReset() {
    List<RecordingClient> early = new ArrayList<>();
    List<String> epochs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordingClient c = RecordingClient.connect(nodes.get(i).vertx(), port(i));
      c.hello();
      epochs.add(c.subscribe("early").getString("epoch"));
      c.expect("snapshot");
      c.expect("snapshot");
      early.add(c);
    }
    assertThat(epochs).as("one epoch on every node").containsOnly(epochs.get(0));
    HttpResponse<String> r =
        post(1, "/api/topics/early/changes", change("first", 1).encode(), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("epoch")).isEqualTo(epochs.get(0));
    for (RecordingClient c : early) {
      JsonObject m = c.expect("change");
      assertThat(m.getLong("seq")).isEqualTo(1);
      assertThat(m.getString("epoch")).isEqualTo(epochs.get(0));
      c.close();
    }

    RecordingClient a = RecordingClient.connect(nodes.get(0).vertx(), port(0));
    RecordingClient b = RecordingClient.connect(nodes.get(2).vertx(), port(2));
    a.hello();
    b.hello();
    assertThat(a.subscribe("never").getString("epoch"))
        .isEqualTo(b.subscribe("never").getString("epoch"));
    assertThat(nodes.get(1).hazelcast().getMap(TopicAuthority.MAP_NAME).containsKey("never"))
        .isTrue();
    a.close();
    b.close();
    eventually(
        "the never-published topic's empty entry is gone",
        () -> !nodes.get(1).hazelcast().getMap(TopicAuthority.MAP_NAME).containsKey("never"));
    assertThat(nodes.get(1).hazelcast().getMap(TopicAuthority.MAP_NAME).containsKey("early"))
        .as("a topic with a change stays")
        .isTrue();
  }

  /** A topic published on one node exists on every node at the same epoch and seq. */
  @Test
  @Order(1)
  void aChangePublishedOnOneNodeReachesEveryNodesReplica() {
    JsonObject first = publish(0, change("seed", 0), null);
    epoch = first.getString("epoch");
    assertThat(first.getLong("firstSeq")).isEqualTo(1);
    acked.put(1L, "seed");
    for (int i = 0; i < 3; i++) {
      int n = i;
      eventually(
          "node " + n + " holds seq 1",
          () -> {
            var t = servers.get(n).topics().find(TOPIC);
            return t != null && t.view().seq() == 1 && t.view().epoch().equals(epoch);
          });
    }
  }

  /**
   * Publishers on all three nodes write one topic at once; a subscriber on every node sees one
   * history, 1..N, each seq once, in order, with the change the 200 for that seq wrote.
   */
  @Test
  @Order(2)
  void publishersOnEveryNodeMakeOneHistoryEverySubscriberSeesOnceInOrder() throws Exception {
    for (int i = 0; i < 3; i++) {
      subscribers.add(new Subscriber(RecordingClient.connect(nodes.get(i).vertx(), port(i))));
    }
    for (Subscriber s : subscribers) {
      s.client.hello();
      s.client.subscribe(TOPIC);
      s.readSnapshot();
      assertThat(s.epoch).isEqualTo(epoch);
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int node = i;
        runs.add(
            pool.submit(
                () -> {
                  for (int k = 0; k < PER_NODE; k++) {
                    String key = "n" + node + "-" + k;
                    JsonObject r = publish(node, change(key, k), null);
                    assertThat(r.getString("epoch")).isEqualTo(epoch);
                    acked.put(r.getLong("firstSeq"), key);
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long last = 1 + 3L * PER_NODE;
    assertThat(acked).hasSize((int) last);
    assertThat(acked.keySet()).allMatch(seq -> seq >= 1 && seq <= last);
    for (Subscriber s : subscribers) {
      s.readChangesUpTo(last);
      for (Map.Entry<Long, String> e : s.keys.entrySet()) {
        assertThat(e.getValue()).as("seq %d", e.getKey()).isEqualTo(acked.get(e.getKey()));
      }
    }
  }

  /** Guarantee 10 across nodes: the same key retried on another node gets the first answer. */
  @Test
  @Order(3)
  void anIdempotencyKeyRetriedOnAnotherNodeAppliesOnce() {
    JsonObject first = publish(0, change("keyed", 1), "retry-1");
    JsonObject again = publish(2, change("keyed", 1), "retry-1");
    assertThat(again.getLong("firstSeq")).isEqualTo(first.getLong("firstSeq"));
    assertThat(again.getString("epoch")).isEqualTo(first.getString("epoch"));
    long seq = first.getLong("firstSeq");
    acked.put(seq, "keyed");
    for (Subscriber s : subscribers) {
      s.readChangesUpTo(seq);
    }
    JsonObject next = publish(1, change("after", 2), null);
    assertThat(next.getLong("firstSeq")).as("nothing applied twice").isEqualTo(seq + 1);
    acked.put(seq + 1, "after");
    for (Subscriber s : subscribers) {
      s.readChangesUpTo(seq + 1);
    }
  }

  /** A client leaves node 0 and continues on node 1 from its position: nothing lost, none twice. */
  @Test
  @Order(4)
  void aClientContinuesOnAnotherNodeFromItsPosition() {
    Subscriber moving = subscribers.get(0);
    long at = moving.last;
    moving.client.close();
    JsonObject r1 = publish(2, change("while-away-1", 1), null);
    JsonObject r2 = publish(0, change("while-away-2", 2), null);
    acked.put(r1.getLong("firstSeq"), "while-away-1");
    acked.put(r2.getLong("firstSeq"), "while-away-2");
    Subscriber back = new Subscriber(RecordingClient.connect(nodes.get(1).vertx(), port(1)));
    back.client.hello();
    back.client.send(
        new JsonObject()
            .put("type", "subscribe")
            .put("topic", TOPIC)
            .put("from", new JsonObject().put("epoch", epoch).put("seq", at)));
    back.last = at;
    back.epoch = epoch;
    JsonObject subscribed = back.client.expect("subscribed");
    assertThat(subscribed.getString("mode")).isEqualTo("replay");
    back.readChangesUpTo(Math.max(r1.getLong("firstSeq"), r2.getLong("firstSeq")));
    assertThat(back.keys.keySet()).containsExactly(at + 1, at + 2);
    subscribers.set(0, back);
  }

  /**
   * Guarantee 5 on any node: a session opened on node 2 resumes on node 0 with its token; the
   * changes after its acknowledged position follow, none lost, none twice.
   */
  @Test
  @Order(5)
  void aSessionResumesOnAnotherNodeWithItsToken() {
    Subscriber first = new Subscriber(RecordingClient.connect(nodes.get(2).vertx(), port(2)));
    JsonObject welcome = first.client.hello();
    first.client.subscribe(TOPIC);
    first.readSnapshot();
    long at = first.last;
    first.client.send(new JsonObject().put("type", "ack").put("topic", TOPIC).put("seq", at));
    first.client.send("{\"type\":\"ping\"}");
    first.client.expect("pong");
    first.client.close();
    JsonObject r = publish(1, change("after-resume", 1), null);
    acked.put(r.getLong("firstSeq"), "after-resume");

    RecordingClient again = RecordingClient.connect(nodes.get(0).vertx(), port(0));
    again.send(
        new JsonObject()
            .put("type", "hello")
            .put("resume", welcome.getString("resume"))
            .put(
                "positions",
                new JsonObject().put(TOPIC, new JsonObject().put("epoch", epoch).put("seq", at))));
    JsonObject resumed = again.expect("welcome");
    assertThat(resumed.getBoolean("resumed")).as("%s", resumed).isTrue();
    assertThat(resumed.getString("session")).isEqualTo(welcome.getString("session"));
    JsonObject subscribed = again.expect("subscribed");
    assertThat(subscribed.getString("mode")).isEqualTo("replay");
    Subscriber back = new Subscriber(again);
    back.epoch = epoch;
    back.last = at;
    back.readChangesUpTo(r.getLong("firstSeq"));
    assertThat(back.keys.get(r.getLong("firstSeq"))).isEqualTo("after-resume");
    again.close();
  }

  /**
   * Resume while the old socket is still open, across nodes (docs/protocol.md §7): the node that
   * holds the old connection closes it with 1000 when the session moves to another node.
   */
  @Test
  @Order(6)
  void resumingOnAnotherNodeClosesTheOldConnectionThere() {
    RecordingClient old = RecordingClient.connect(nodes.get(1).vertx(), port(1));
    JsonObject welcome = old.hello();
    RecordingClient moved = RecordingClient.connect(nodes.get(2).vertx(), port(2));
    moved.send(new JsonObject().put("type", "hello").put("resume", welcome.getString("resume")));
    assertThat(moved.expect("welcome").getBoolean("resumed")).isTrue();
    assertThat(old.awaitClose(Duration.ofSeconds(20))).isEqualTo(1000);
    moved.close();
  }

  @Test
  @Order(7)
  void apiClusterListsEveryMemberWithItsConnections() {
    JsonObject body = new JsonObject(get(1, "/api/cluster").body());
    assertThat(body.getString("node")).isEqualTo(nodes.get(1).nodeId());
    JsonArray members = body.getJsonArray("members");
    assertThat(members).hasSize(3);
    int connections = 0;
    int owned = 0;
    for (Object o : members) {
      JsonObject m = (JsonObject) o;
      assertThat(m.getBoolean("reachable")).as("%s", m).isTrue();
      connections += m.getInteger("connections");
      owned += m.getInteger("topicsOwned");
    }
    assertThat(connections).isEqualTo(3);
    assertThat(owned)
        .as("each topic has one primary")
        .isEqualTo(nodes.get(0).hazelcast().getMap(TopicAuthority.MAP_NAME).size());
    String metrics = get(1, "/metrics").body();
    assertThat(metrics).contains("slipstream_cluster_members 3.0");
    assertThat(metrics).contains("slipstream_cluster_replica_lag 0.0");
    assertThat(metrics).contains("slipstream_cluster_topics_followed 2.0");
    // The cluster-only meters the shipped dashboard and alerts name exist on a clustered node.
    java.util.Set<String> named = new java.util.TreeSet<>(OperatorFiles.grafanaMetrics());
    OperatorFiles.alertMetrics().values().forEach(named::addAll);
    named.removeIf(m -> !m.startsWith("slipstream_cluster_"));
    assertThat(named).as("cluster meters in docs/grafana and docs/prometheus").isNotEmpty();
    for (String m : named) {
      assertThat(metrics).as("/metrics of a clustered node").containsPattern("(?m)^" + m + "[ {]");
    }
  }

  /**
   * {@code /api/connections?all=true} gathers every member's connections through the node control
   * addresses, filtered, sorted and paged across the members: each of the three subscribers shows
   * once, with its node's id prefix, and the cursor of a page continues where it stopped.
   */
  @Test
  @Order(7)
  void apiConnectionsAllGathersEveryMemberFilteredAndPaged() {
    java.util.Set<String> local = new java.util.HashSet<>();
    int onTopic = 0;
    for (int i = 0; i < 3; i++) {
      for (Object o : new JsonArray(get(i, "/api/connections").body())) {
        JsonObject c = (JsonObject) o;
        assertThat(c.getString("id")).startsWith(nodes.get(i).nodeId().substring(0, 8) + "-c");
        local.add(c.getString("id"));
        onTopic += c.getJsonArray("topics").contains(TOPIC) ? 1 : 0;
      }
    }
    assertThat(local).hasSize(3);
    java.util.Set<String> gathered = new java.util.HashSet<>();
    for (Object o : new JsonArray(get(0, "/api/connections?all=true").body())) {
      JsonObject c = (JsonObject) o;
      gathered.add(c.getString("id"));
      assertThat(c.getString("quality")).isEqualTo("healthy");
    }
    assertThat(gathered).as("every member's connections, once").isEqualTo(local);
    assertThat(new JsonArray(get(1, "/api/connections?all=true&topic=" + TOPIC).body()))
        .hasSize(onTopic);
    assertThat(new JsonArray(get(1, "/api/connections?all=true&topic=none").body())).isEmpty();

    JsonObject first = new JsonObject(get(2, "/api/connections?all=true&sort=fill&limit=2").body());
    assertThat(first.getJsonArray("connections")).hasSize(2);
    assertThat(first.getString("next")).as("a next page").isNotNull();
    JsonObject second =
        new JsonObject(
            get(2, "/api/connections?all=true&sort=fill&limit=2&cursor=" + first.getString("next"))
                .body());
    assertThat(second.getJsonArray("connections")).hasSize(1);
    assertThat(second.containsKey("next")).as("the last page").isFalse();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JsonObject page : List.of(first, second)) {
      for (Object o : page.getJsonArray("connections")) {
        ids.add(((JsonObject) o).getString("id"));
      }
    }
    assertThat(ids).as("every connection once over the pages").isEqualTo(local);
  }

  /**
   * A backup that refuses an update makes the publish indeterminate (503): it may be applied. The
   * producer's retry with the same key, on another node, is answered with the first application's
   * seqs once both copies hold it, and every subscriber sees that seq once.
   */
  /**
   * Any node closes a connection held by another with a close code, through that node's one control
   * address; the connection ids are cluster-unique (they start with the node's id).
   */
  @Test
  @Order(8)
  void anyNodeClosesAConnectionOnAnotherWithACode() {
    RecordingClient victim = RecordingClient.connect(nodes.get(2).vertx(), port(2));
    victim.send(new JsonObject().put("type", "hello").put("clientId", "victim"));
    victim.expect("welcome");
    JsonArray listed = new JsonArray(get(2, "/api/connections").body());
    String id = null;
    for (Object o : listed) {
      JsonObject c = (JsonObject) o;
      assertThat(c.getString("id")).startsWith(nodes.get(2).nodeId().substring(0, 8) + "-c");
      if ("victim".equals(c.getString("clientId"))) {
        id = c.getString("id");
      }
    }
    assertThat(id).as("the victim is listed").isNotNull();
    JsonObject answer =
        nodes
            .get(0)
            .vertx()
            .eventBus()
            .<JsonObject>request(
                Members.ADDRESS_PREFIX + nodes.get(2).nodeId(),
                ClusterJson.disconnectRequest(id, 4003))
            .await()
            .body();
    assertThat(answer.getBoolean("found")).isTrue();
    assertThat(victim.awaitClose(Duration.ofSeconds(20))).isEqualTo(4003);
    JsonObject again =
        nodes
            .get(0)
            .vertx()
            .eventBus()
            .<JsonObject>request(
                Members.ADDRESS_PREFIX + nodes.get(2).nodeId(),
                ClusterJson.disconnectRequest(id, 4003))
            .await()
            .body();
    assertThat(again.getBoolean("found")).as("gone").isFalse();
  }

  @Test
  @Order(9)
  void aRefusedBackupIsIndeterminateAndTheRetryWithTheKeyAppliesOnce() throws Exception {
    List<BackupFaults> faults = new ArrayList<>();
    for (ClusterNode n : nodes) {
      BackupFaults f = new BackupFaults();
      n.hazelcast().getUserContext().put(BackupFaults.USER_CONTEXT_KEY, f);
      f.refuseNextApplies(1);
      faults.add(f);
    }
    HttpResponse<String> first =
        post(0, "/api/topics/" + TOPIC + "/changes", change("refused", 1).encode(), "refused-1");
    faults.forEach(BackupFaults::clear);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
    assertThat(new JsonObject(first.body()).getJsonObject("error").getString("code"))
        .isEqualTo("indeterminate");
    JsonObject retried = null;
    for (int attempt = 0; attempt < 50 && retried == null; attempt++) {
      HttpResponse<String> r =
          post(
              1 + attempt % 2,
              "/api/topics/" + TOPIC + "/changes",
              change("refused", 1).encode(),
              "refused-1");
      if (r.statusCode() == 200) {
        retried = new JsonObject(r.body());
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        // The backup is re-synced from the primary within backupSyncIntervalSeconds (1 s).
        Thread.sleep(100);
      }
    }
    assertThat(retried).as("a retry was answered 200").isNotNull();
    assertThat(retried.getString("epoch")).isEqualTo(epoch);
    long seq = retried.getLong("firstSeq");
    JsonObject again = publish(2, change("refused", 1), "refused-1");
    assertThat(again.getLong("firstSeq")).as("the same seqs for the same key").isEqualTo(seq);
    acked.put(seq, "refused");
    JsonObject next = publish(0, change("after-refusal", 1), null);
    assertThat(next.getLong("firstSeq")).as("applied once").isEqualTo(seq + 1);
    acked.put(seq + 1, "after-refusal");
    for (Subscriber sub : subscribers) {
      sub.readChangesUpTo(seq + 1);
      assertThat(sub.keys.get(seq)).isEqualTo("refused");
    }
  }

  /**
   * The topic's owner leaves gracefully and comes back: the topic keeps its epoch and history
   * throughout, the others go on publishing, and the returning node serves the same history.
   */
  @Test
  @Order(10)
  void theOwnerLeavesAndRejoinsAndTheEpochStays() throws Exception {
    int owner = -1;
    for (int i = 0; i < 3; i++) {
      if (nodes.get(i).hazelcast().getMap(TopicAuthority.MAP_NAME).localKeySet().contains(TOPIC)) {
        owner = i;
      }
    }
    assertThat(owner).as("one node owns the topic").isNotNegative();
    servers.get(owner).shutdown().await();
    nodes.get(owner).vertx().close().await();
    subscribers.get(owner).client.close();
    int a = (owner + 1) % 3;
    int b = (owner + 2) % 3;
    JsonObject during = publishRetrying(a, change("owner-away", 1), "owner-away");
    assertThat(during.getString("epoch")).as("the backup took over the history").isEqualTo(epoch);
    acked.put(during.getLong("firstSeq"), "owner-away");
    for (int i : new int[] {a, b}) {
      subscribers.get(i).readChangesUpTo(during.getLong("firstSeq"));
    }

    nodes.set(owner, startNode(owner));
    servers.set(
        owner,
        SlipstreamServer.start(
                nodes.get(owner), config(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
            .await());
    int back = owner;
    eventually(
        "the returning node holds the history",
        () -> {
          var t = servers.get(back).topics().find(TOPIC);
          return t != null
              && t.view().epoch().equals(epoch)
              && t.view().seq() == during.getLong("firstSeq");
        });
    Subscriber rejoined =
        new Subscriber(RecordingClient.connect(nodes.get(owner).vertx(), port(owner)));
    rejoined.client.hello();
    rejoined.client.subscribe(TOPIC);
    rejoined.readSnapshot();
    assertThat(rejoined.epoch).isEqualTo(epoch);
    subscribers.set(owner, rejoined);
    JsonObject after = publishRetrying(owner, change("owner-back", 1), "owner-back");
    assertThat(after.getString("epoch")).isEqualTo(epoch);
    assertThat(after.getLong("firstSeq")).isEqualTo(during.getLong("firstSeq") + 1);
    acked.put(after.getLong("firstSeq"), "owner-back");
    for (Subscriber sub : subscribers) {
      sub.readChangesUpTo(after.getLong("firstSeq"));
    }
  }

  /** Guarantee 9: alone, a node cannot keep two copies, so it refuses publishes 503 no-quorum. */
  @Test
  @Order(11)
  void aNodeLeftAloneAnswersNoQuorum() {
    for (int i = 2; i >= 1; i--) {
      servers.get(i).shutdown().await();
      nodes.get(i).vertx().close().await();
    }
    eventually(
        "one member left", () -> nodes.get(0).hazelcast().getCluster().getMembers().size() == 1);
    HttpResponse<String> r =
        post(0, "/api/topics/" + TOPIC + "/changes", change("alone", 1).encode(), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code"))
        .as(r.body())
        .isEqualTo("no-quorum");
  }

  // ---------------------------------------------------------------------------------------------

  /** A subscriber's view of one topic, checked message by message. */
  private static final class Subscriber {
    final RecordingClient client;
    String epoch;
    long last;
    final Map<Long, String> keys = new HashMap<>();

    Subscriber(RecordingClient client) {
      this.client = client;
    }

    void readSnapshot() {
      JsonObject begin = client.expect("snapshot");
      epoch = begin.getString("epoch");
      last = begin.getLong("seq");
      while (true) {
        JsonObject m = client.next();
        if ("snapshot".equals(m.getString("type"))) {
          return;
        }
      }
    }

    /** Reads changes until {@code seq}; each must be the next seq of the epoch. */
    void readChangesUpTo(long seq) {
      while (last < seq) {
        JsonObject m = client.expect("change");
        assertThat(m.getString("epoch")).isEqualTo(epoch);
        assertThat(m.getLong("seq")).as("after %d: %s", last, m).isEqualTo(last + 1);
        last = m.getLong("seq");
        keys.put(last, m.getString("key"));
      }
    }
  }

  private int port(int node) {
    return servers.get(node).port();
  }

  private static JsonObject change(String key, int n) {
    return new JsonObject()
        .put("op", "UPDATE")
        .put("key", key)
        .put("row", new JsonObject().put("n", n));
  }

  private JsonObject publish(int node, JsonObject change, String key) {
    HttpResponse<String> r = post(node, "/api/topics/" + TOPIC + "/changes", change.encode(), key);
    assertThat(r.statusCode()).as("publish on node %d: %s", node, r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  /**
   * Publishes as a producer must while members come and go: a 503 (the partitions are migrating,
   * the outcome may be unknown) is retried with the same {@code Idempotency-Key} after its {@code
   * Retry-After}, at most 20 times; the key makes the retries apply it once.
   */
  private JsonObject publishRetrying(int node, JsonObject change, String key)
      throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> r =
          post(node, "/api/topics/" + TOPIC + "/changes", change.encode(), key);
      if (r.statusCode() != 503 || attempt == 20) {
        assertThat(r.statusCode()).as("publish on node %d: %s", node, r.body()).isEqualTo(200);
        return new JsonObject(r.body());
      }
      long seconds = r.headers().firstValueAsLong("Retry-After").orElse(1);
      Thread.sleep(Math.min(1_000, seconds * 1_000)); // the producer's back-off, not a wait for an event
    }
  }

  private HttpResponse<String> post(int node, String path, String body, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(node) + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Idempotency-Key", key);
    }
    return send(b.build());
  }

  private HttpResponse<String> get(int node, String path) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(node) + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build());
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(request + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits for a condition the cluster reaches by itself (membership, replication), bounded. */
  private static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /**
   * A port below Linux's ephemeral range (32768 and up), so no outgoing connection of this JVM
   * takes it between the pick and the member's bind.
   */
  private static int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException taken) {
        // Try another.
      }
    }
    throw new IOException("no free port in [20000, 32000)");
  }
}
