package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.RunResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code cluster} scenario's failover plan, run while the tool publishes: kill -9 the topic's
 * owner, start it again and wait until it serves and every node lists every member, let fresh
 * clients subscribe on it, then hang another node with SIGSTOP past the cluster's failure
 * detection and kill it with kill -9 (never SIGCONT: a split-brain merge is out of scope). Each
 * step is a row of the result's steps and starts a phase of the {@link Stalls}.
 *
 * <p>Used once, on the scenario's thread. The waits between steps are the plan's own timing (the
 * options), not synchronisation: where there is something to await (a node serving, members
 * listed), it is awaited.
 */
final class Failover {

  /**
   * What the plan did.
   *
   * @param killed the index of the owner killed with kill -9 (and restarted), or -1
   * @param hung the index of the node hung and then killed, or -1
   * @param freshNode the node the fresh clients subscribed on, or -1 when they did not
   */
  record Outcome(int killed, int hung, int freshNode) {}

  /** Connects {@code count} fresh clients to node {@code node}. */
  interface FreshClients {
    void connect(int count, int node);
  }

  private final Harness h;
  private final RunResult r;
  private final LocalCluster cluster;
  private final Stalls stalls;
  private final long startNanos;

  /**
   * @param startNanos when publishing began, {@code System.nanoTime()}
   */
  Failover(Harness h, RunResult r, LocalCluster cluster, Stalls stalls, long startNanos) {
    this.h = h;
    this.r = r;
    this.cluster = cluster;
    this.stalls = stalls;
    this.startNanos = startNanos;
  }

  Outcome run(int fresh, FreshClients freshClients) {
    Options o = h.options();
    sleepUntil(startNanos + seconds(o, "kill-after"));
    NodeProcess owner = cluster.owner();
    r.check(
        Check.of(
            "GET /api/cluster names the topic's owner",
            owner != null,
            owner != null ? owner.toString() : "view: " + cluster.view()));
    if (owner == null) {
      return new Outcome(-1, -1, -1);
    }
    step("kill -9 the topic's owner", owner);
    owner.kill();
    stalls.phase("after kill -9 of the owner");

    Harness.sleep(seconds(o, "restart-after") / 1_000_000L);
    step("start the killed node again", owner);
    long restartAt = System.nanoTime();
    try {
      cluster.restart(owner);
    } catch (IllegalStateException e) {
      r.check(
          Check.of("the killed node serves again and every node lists it", false, e.toString()));
      return new Outcome(owner.index(), -1, -1);
    }
    double back = (System.nanoTime() - restartAt) / 1e9;
    r.check(
        Check.of(
            "the killed node serves again and every node lists it",
            true,
            Percentiles.round(back) + " s after its start"));
    r.put(ClusterScenario.FAILOVER, "restart to serving with every member listed s", back);
    stalls.phase("after the restart");
    step(fresh + " fresh clients subscribe", owner);
    freshClients.connect(fresh, owner.index());

    Harness.sleep(seconds(o, "settle") / 1_000_000L);
    NodeProcess current = cluster.owner();
    NodeProcess victim = victim(owner, current);
    if (victim == null) {
      r.check(Check.of("another node to hang", false, "none serves besides " + owner));
      return new Outcome(owner.index(), -1, owner.index());
    }
    step(victim == current ? "SIGSTOP the topic's owner" : "SIGSTOP", victim);
    victim.hang();
    stalls.phase("while hung (SIGSTOP)");
    Harness.sleep(seconds(o, "stop-seconds") / 1_000_000L);
    step("kill -9 the hung node", victim);
    victim.kill();
    stalls.phase("after kill -9 of the hung node");

    Harness.sleep(seconds(o, "tail") / 1_000_000L);
    step("publishing stops", null);
    return new Outcome(owner.index(), victim.index(), owner.index());
  }

  /**
   * The node to hang: the topic's owner again when that is not the node just restarted (the
   * sequencer's path through the heartbeat), else the first other node that serves.
   */
  private NodeProcess victim(NodeProcess restarted, NodeProcess owner) {
    if (owner != null && owner != restarted && owner.serving()) {
      return owner;
    }
    for (NodeProcess n : cluster.serving()) {
      if (n != restarted) {
        return n;
      }
    }
    return null;
  }

  private void step(String what, NodeProcess node) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("t s", Percentiles.round((System.nanoTime() - startNanos) / 1e9));
    row.put("step", what);
    row.put("node", node == null ? "" : node.toString());
    r.step(row);
    h.log("[failover] " + row);
  }

  /** The option {@code name}, seconds, in nanoseconds. */
  private static long seconds(Options o, String name) {
    double s =
        name.equals("stop-seconds") ? ClusterScenario.stopSeconds(o) : o.decimal(name, 0, 3600);
    return (long) (s * 1e9);
  }

  private static void sleepUntil(long nanos) {
    long wait = (nanos - System.nanoTime()) / 1_000_000L;
    if (wait > 0) {
      Harness.sleep(wait);
    }
  }
}
