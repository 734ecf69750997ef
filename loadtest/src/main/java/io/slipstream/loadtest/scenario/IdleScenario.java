package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.proc.ProcessProbe;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.RunResult;
import java.util.List;

/**
 * {@code idle}: C idle connections.
 *
 * <p>Topology: the tool measures the server's heap after a full GC ({@code jcmd PID GC.run} and
 * {@code GC.heap_info}) and its RSS, opens C connections that each say {@code hello} and subscribe
 * to one quiet topic, holds them for {@code --hold} seconds (the server's heartbeats keep flowing),
 * and measures again. Question: what does one idle connection cost the server in memory? Needs
 * {@code --server-pid}.
 *
 * <p>Stateless; runs on the main thread.
 */
public final class IdleScenario implements Scenario {

  @Override
  public String name() {
    return "idle";
  }

  @Override
  public String question() {
    return "What does one idle connection (hello + subscribe, no traffic) cost the server in heap"
        + " and RSS?";
  }

  @Override
  public String topology() {
    return "--clients connections subscribed to one quiet topic, held for --hold s; the server's"
        + " heap after GC and RSS measured before and after (needs --server-pid)";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        Scenarios.defaultOf("clients", "1000"),
        Scenarios.defaultOf("connect-rate", "2000"),
        OptionSpec.value("hold", "SECONDS", "10", "how long to hold the connections"));
  }

  @Override
  public RunResult run(Harness h) {
    Options o = h.options();
    int c = o.integer("clients", 1);
    long holdMs = (long) (o.decimal("hold", 0, 86_400) * 1000);
    RunResult r = Runs.newResult(this, h);
    ProcessProbe server = h.serverProbe();
    if (server == null) {
      r.note("no --server-pid: only the connection counts are measured, not memory");
    }
    long heapBefore = server == null ? -1 : server.heapAfterGc();
    ProcessProbe.Sample before = server == null ? null : server.sample();

    h.sampler().phase("connect");
    h.connect(c, h.plan(), false, "idle");
    boolean live = h.awaitLive(c, Runs.connectTimeoutMs(c));
    h.sampler().phase("hold");
    Harness.sleep(holdMs);
    int stillLive = h.tally().live.get();
    long heapAfter = server == null ? -1 : server.heapAfterGc();
    ProcessProbe.Sample after = server == null ? null : server.sample();

    r.put(Figures.RUN, "connections asked", c);
    r.put(Figures.RUN, "live after connecting", live ? c : h.tally().live.get());
    r.put(Figures.RUN, "live after holding", stillLive);
    if (heapBefore > 0 && heapAfter > 0) {
      r.put("memory", "heap after GC before MiB", Percentiles.round(heapBefore / 1048576.0));
      r.put(
          "memory", "heap after GC with connections MiB", Percentiles.round(heapAfter / 1048576.0));
      r.put(
          "memory",
          "heap per connection KiB",
          Percentiles.round((heapAfter - heapBefore) / 1024.0 / c));
    } else if (server != null) {
      r.note("jcmd could not read the server's heap (not a JVM, or another user): RSS only");
    }
    if (before != null && after != null) {
      r.put("memory", "RSS before MiB", Percentiles.round(before.rssBytes() / 1048576.0));
      r.put("memory", "RSS with connections MiB", Percentiles.round(after.rssBytes() / 1048576.0));
      r.put(
          "memory",
          "RSS per connection KiB",
          Percentiles.round((after.rssBytes() - before.rssBytes()) / 1024.0 / c));
      r.put("memory", "server threads", after.threads());
    }
    Figures.correctness(r, h.tally());
    Figures.connections(r, h.tally());
    r.check(Check.of("all connections live", live, h.tally().live.get() + " of " + c));
    r.check(Check.equal("no connection lost while idle", stillLive, c));
    return Runs.finish(r, h);
  }
}
