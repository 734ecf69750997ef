package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.cli.UsageException;
import io.slipstream.loadtest.client.ClientPlan;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.client.Endpoint;
import io.slipstream.loadtest.publish.PublishPlan;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.RunResult;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code cluster}: N nodes the tool starts itself, subscribers spread over them, one topic
 * published through all of them, and optionally a failover plan.
 *
 * <p>Topology: the tool starts N server JVMs from {@code --jar} on free ports of 127.0.0.1 (one
 * node without {@code --cluster} when N is 1, for comparison), so it only ever signals processes
 * it started, by PID. Subscriber i connects to node i mod N; each knows every node and, after a
 * close it did not ask for, a failed connect or {@code --silence-ms} without a word, moves to the
 * next one and resumes with its token and positions. The tool publishes {@code --rate} changes/s
 * round-robin through every node, each publish with its own {@code Idempotency-Key}, sent again
 * (same key, same body) to the next node after a 503 or an I/O error, at most {@code --attempts}
 * times (docs/protocol.md §7). With {@code --failover}: after {@code --kill-after} s the topic's
 * owner (from {@code /api/cluster}) is killed with {@code kill -9}; {@code --restart-after} s later
 * it is started again and the tool waits until it serves and every node lists every member; then
 * {@code --fresh-clients} new clients subscribe on it (snapshot consistency, guarantee 2, with
 * publishes going through the other nodes too); after {@code --settle} s another node (the owner
 * again when it is not the restarted one) is hung with {@code kill -STOP} for {@code
 * --stop-seconds} (longer than {@code cluster.failureSeconds}), then killed with {@code kill -9},
 * never continued (a split-brain merge is out of scope); publishing goes on {@code --tail} s more.
 * Without {@code --failover} the fresh clients subscribe halfway through on the last node. At the
 * end every node left is stopped with SIGTERM (then killed after a timeout).
 *
 * <p>Question: does every publish answered 200 reach every subscriber exactly once at its seq,
 * in one epoch, with nothing lost, doubled or out of order, also across a kill -9 and a hang; how
 * long is the longest stall; what does a change cost in latency between nodes compared with one
 * node at the same load; and do fresh subscribers end with the authoritative rows?
 *
 * <p>Stateless; runs on the main thread.
 */
public final class ClusterScenario implements Scenario {

  static final String CLUSTER = "cluster";
  static final String FAILOVER = "failover";

  /** Sockets per client the WebSocket pools allow: the live one, given-up ones, failovers. */
  private static final int SOCKETS_PER_CLIENT = 4;

  /** Clients named in a failed check's detail, at most. */
  private static final int NAMED = 10;

  /** How long a publishing phase under a failover plan may run at most. */
  private static final long MAX_FAILOVER_PUBLISH_MS = 3_600_000;

  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public String question() {
    return "With N nodes started by the tool, subscribers spread over them and publishes through"
        + " all of them (retried with their Idempotency-Key), does every acknowledged publish"
        + " reach every subscriber once at its seq in one epoch, also across kill -9 of the"
        + " topic's owner and a hung node; how long is the longest stall; what is the cross-node"
        + " latency against one node?";
  }

  @Override
  public String topology() {
    return "--nodes server JVMs from --jar on 127.0.0.1, --clients subscribers spread over them"
        + " (failing over to the next node), --rate changes/s published round-robin through every"
        + " node with an Idempotency-Key each and up to --attempts tries; --failover: kill -9 the"
        + " owner after --kill-after s, restart it, fresh subscribers on it, SIGSTOP another node"
        + " for --stop-seconds, then kill -9 it";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        Scenarios.defaultOf("clients", "20"),
        Scenarios.defaultOf("rate", "50"),
        Scenarios.defaultOf("duration", "30"),
        Scenarios.defaultOf("keys", "100"),
        Scenarios.defaultOf("drain", "20"),
        OptionSpec.value("nodes", "N", "3", "server JVMs to start (1: one node, no --cluster)"),
        OptionSpec.value("jar", "PATH", "server/target/slipstream.jar", "the server jar"),
        OptionSpec.value(
            "node-jvm-args",
            "ARGS",
            "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
            "options of each node's JVM, space-separated"),
        OptionSpec.value(
            "node-set",
            "K=V,…",
            null,
            "more server settings for every node, each passed as --set K=V"),
        OptionSpec.value(
            "node-logs",
            "DIR",
            null,
            "where each node's output goes (default: <--out>/nodes, or a fresh directory)"),
        OptionSpec.value(
            "start-timeout", "SECONDS", "120", "longest wait for the nodes to serve and join"),
        OptionSpec.value(
            "failure-seconds",
            "S",
            "5",
            "cluster.failureSeconds: silence after which a member is removed"),
        OptionSpec.value(
            "heartbeat-seconds", "S", "1", "cluster.heartbeatSeconds: member heartbeat interval"),
        OptionSpec.flag(
            "failover",
            "kill -9 the owner, restart it, then SIGSTOP another node and kill -9 it"),
        OptionSpec.value(
            "kill-after", "SECONDS", "8", "publishing time before the owner is killed"),
        OptionSpec.value(
            "restart-after", "SECONDS", "2", "time between the kill and the restart"),
        OptionSpec.value(
            "settle",
            "SECONDS",
            "3",
            "time after the restart before the next node is hung (Hazelcast's migration back to"
                + " the rejoined member has no signal to await)"),
        OptionSpec.value(
            "stop-seconds",
            "SECONDS",
            null,
            "how long the node stays stopped before its kill -9 (default --failure-seconds + 3)"),
        OptionSpec.value(
            "tail", "SECONDS", "5", "publishing time after the failover plan's last step"),
        OptionSpec.value(
            "fresh-clients",
            "N",
            "2",
            "clients that subscribe mid-run (after the restart, on the restarted node) and must"
                + " end with the authoritative rows"),
        OptionSpec.value(
            "preload",
            "N",
            "0",
            "changes published before the subscribers connect (0: they subscribe to a topic"
                + " nobody published to yet)"),
        OptionSpec.value("attempts", "N", "40", "most requests per publish (retries + 1)"),
        OptionSpec.value(
            "request-timeout-ms", "MS", "2000", "a publish request without answer this long fails"),
        OptionSpec.value(
            "silence-ms",
            "MS",
            "3000",
            "a client pings and gives its socket up when nothing arrived for this long (0: never)"),
        Runs.reconnectDelay("200"));
  }

  @Override
  public boolean slipstream() {
    return false; // there is no --url server: the scenario starts its own nodes
  }

  @Override
  public void validate(Options o) {
    int nodes = o.integer("nodes", 1);
    if (o.flag("failover") && nodes < 3) {
      throw new UsageException(
          "--failover needs --nodes 3 or more: two must stay for a quorum (cluster.minMembers)");
    }
    if (o.flag("failover") && stopSeconds(o) <= o.integer("failure-seconds", 1)) {
      throw new UsageException(
          "--stop-seconds must be longer than --failure-seconds: the hung node must be removed");
    }
    o.integer("heartbeat-seconds", 1);
    o.integer("fresh-clients", 0);
    o.integer("preload", 0);
    o.integer("attempts", 1);
    o.longValue("request-timeout-ms", 1);
    o.longValue("silence-ms", 0);
    o.longValue("reconnect-delay-ms", 0);
    for (String name : List.of("kill-after", "restart-after", "settle", "tail")) {
      o.decimal(name, 0, 3600);
    }
    o.decimal("start-timeout", 1, 3600);
    settings(o);
  }

  @Override
  public int maxSockets(Options o) {
    return (o.integer("clients", 1) + o.integer("fresh-clients", 0)) * SOCKETS_PER_CLIENT;
  }

  /** {@code --stop-seconds}, by default {@code --failure-seconds} + 3. */
  static double stopSeconds(Options o) {
    return o.given("stop-seconds")
        ? o.decimal("stop-seconds", 0.1, 3600)
        : o.integer("failure-seconds", 1) + 3;
  }

  /** Server settings for every node: the cluster's failure detection, then {@code --node-set}. */
  private static List<String> settings(Options o) {
    List<String> out = new ArrayList<>();
    if (o.integer("nodes", 1) > 1) {
      out.add("cluster.failureSeconds=" + o.integer("failure-seconds", 1));
      out.add("cluster.heartbeatSeconds=" + o.integer("heartbeat-seconds", 1));
    }
    String more = o.string("node-set");
    if (more != null) {
      for (String kv : more.split(",")) {
        if (kv.indexOf('=') <= 0) {
          throw new UsageException("--node-set needs K=V pairs separated by commas, was " + more);
        }
        out.add(kv.trim());
      }
    }
    return out;
  }

  private static Path logDir(Options o) {
    if (o.string("node-logs") != null) {
      return Path.of(o.string("node-logs"));
    }
    if (o.string("out") != null) {
      return Path.of(o.string("out"), "nodes");
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return Path.of("loadtest-results", "cluster-nodes-" + stamp);
  }

  @Override
  public RunResult run(Harness h) {
    Options o = h.options();
    int nodes = o.integer("nodes", 1);
    RunResult r = Runs.newResult(this, h);
    LocalCluster.Settings settings =
        new LocalCluster.Settings(
            Path.of(o.string("jar")),
            nodes,
            Arrays.asList(o.string("node-jvm-args").trim().split("\\s+")),
            settings(o),
            logDir(o),
            (long) (o.decimal("start-timeout", 1, 3600) * 1000));
    r.put(Figures.RUN, "server", nodes + " node(s) started by the tool from " + settings.jar());
    r.put(Figures.RUN, "node logs", settings.logDir().toString());
    h.log("starting " + nodes + " node(s) from " + settings.jar());
    long t0 = System.nanoTime();
    LocalCluster cluster;
    try {
      cluster = LocalCluster.start(settings);
    } catch (IllegalStateException e) {
      r.check(Check.of("the nodes started and joined", false, e.getMessage()));
      return Runs.finish(r, h);
    }
    r.put(CLUSTER, "nodes serving after s", Percentiles.round((System.nanoTime() - t0) / 1e9));
    try {
      return run(h, r, cluster);
    } finally {
      h.stopClients(); // before the nodes leave, so no client chases them
      cluster.close();
    }
  }

  private RunResult run(Harness h, RunResult r, LocalCluster cluster) {
    Options o = h.options();
    Runs.Load load = Runs.Load.of(o);
    int n = load.clients();
    int fresh = o.integer("fresh-clients", 0);
    int keys = o.integer("keys", 1);
    List<NodeProcess> nodes = cluster.nodes();
    List<Endpoint> endpoints = new ArrayList<>();
    List<String> urls = new ArrayList<>();
    for (NodeProcess node : nodes) {
      endpoints.add(node.endpoint());
      urls.add(node.url() + "/api/topics/" + h.topic() + "/changes");
    }
    long silence = o.longValue("silence-ms", 0);
    ClientPlan plan =
        h.plan().reconnecting(true, o.longValue("reconnect-delay-ms", 0)).trackingRows(keys);

    int preload = o.integer("preload", 0);
    if (preload > 0) {
      PublishReport pre =
          h.publish(
              new PublishPlan(
                      urls.get(0),
                      h.publishHeaders(),
                      1e9,
                      120_000,
                      preload,
                      1,
                      Runs.updates(o, load.size()),
                      true,
                      false)
                  .onNodes(urls, o.integer("attempts", 1), o.longValue("request-timeout-ms", 1)));
      r.check(Check.equal("preloaded changes accepted", pre.accepted(), preload));
    }
    h.log("connecting " + n + " subscribers to " + nodes.size() + " node(s)");
    for (int i = 0; i < nodes.size(); i++) {
      int count = n / nodes.size() + (i < n % nodes.size() ? 1 : 0);
      h.connect(count, plan.onNodes(endpoints, i, silence), false, "n" + i);
    }
    if (!Runs.awaitAllLive(h, r, n)) {
      return Runs.finish(r, h);
    }

    h.nodeLatency(true); // discard what came before publishing
    h.nodeLatency(false);
    Runs.measureAfterWarmup(h, o);
    Stalls stalls =
        new Stalls(h.shared().stalls(), h.publisher().latencyByPhase(), h.tally().received);
    boolean failover = o.flag("failover");
    PublishPlan publishing =
        new PublishPlan(
                urls.get(0),
                h.publishHeaders(),
                load.rate(),
                failover ? MAX_FAILOVER_PUBLISH_MS : load.durationMs(),
                Long.MAX_VALUE,
                1,
                Runs.updates(o, load.size()).versionsAfter(preload),
                true,
                h.stampDue())
            .onNodes(urls, o.integer("attempts", 1), o.longValue("request-timeout-ms", 1));
    stalls.phase("steady");
    long start = System.nanoTime();
    Future<PublishReport> f = h.publisher().run(publishing);
    Failover.FreshClients freshClients =
        (count, node) -> h.connect(count, plan.onNodes(endpoints, node, silence), false, "fresh");
    Failover.Outcome outcome;
    if (failover) {
      outcome = new Failover(h, r, cluster, stalls, start).run(fresh, freshClients);
      h.publisher().endPhase();
    } else {
      Harness.sleep(load.durationMs() / 2);
      freshClients.connect(fresh, nodes.size() - 1);
      outcome = new Failover.Outcome(-1, -1, nodes.size() - 1);
    }
    long publishBound = failover ? MAX_FAILOVER_PUBLISH_MS : load.durationMs();
    PublishReport p = Harness.await(f, publishBound + 60_000, "publish");
    stalls.close();

    h.sampler().phase("drain");
    int reached = h.awaitReached(p.lastSeq(), n + fresh, false, Runs.drainMs(o));
    Runs.stopMeasuring(h);
    List<ClientReport> reports = h.reports();
    Histogram cross = h.nodeLatency(true);
    Histogram same = h.nodeLatency(false);
    Map<String, ServerRows> rows = new LinkedHashMap<>();
    for (NodeProcess node : cluster.serving()) {
      try {
        rows.put("node " + node.index(), ServerRows.parse(node.api().rows(h.topic()), keys));
      } catch (RuntimeException e) {
        r.note("GET /api/topics/" + h.topic() + "/rows on node " + node.index() + ": " + e);
      }
    }

    r.put(Figures.RUN, "subscribers", n);
    r.put(Figures.RUN, "fresh subscribers (mid-run)", fresh);
    r.put(Figures.RUN, "nodes", nodes.size());
    Figures.publishing(r, p);
    r.put(Figures.RUN, "deliveries", Figures.sum(reports, ClientReport::received));
    ClusterFigures.publishing(r, p);
    ClusterFigures.clients(r, h.topic(), reports, p, reached, NAMED);
    ClusterFigures.delivery(r, reports, p, NAMED);
    ClusterFigures.epochs(r, reports, p, rows);
    ClusterFigures.stalls(r, stalls);
    Figures.latency(r, h.sampler().totalLatency());
    ClusterFigures.latency(r, cross, same, nodes.size());
    ClusterFigures.rows(r, reports, rows, p, NAMED);
    if (failover) {
      ClusterFigures.failover(r, reports, outcome);
    }
    Figures.correctness(r, h.tally());
    Figures.connections(r, h.tally());
    r.put("connections", "failovers (reconnects to another node)", h.tally().failovers.sum());
    r.put("connections", "sockets given up after silence", h.tally().silenceGiveUps.sum());
    for (String e : h.shared().errors()) {
      r.note("client: " + e);
    }
    return Runs.finish(r, h);
  }
}
