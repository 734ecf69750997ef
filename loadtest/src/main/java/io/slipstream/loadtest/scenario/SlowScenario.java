package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.proc.ProcessProbe;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;

/**
 * {@code slow}: N fast subscribers and K that stop reading, on one topic.
 *
 * <p>Topology: N + K clients go live; the K slow ones then pause their sockets (optionally still
 * reading {@code --slow-read} messages a second), so TCP backpressure reaches the server and their
 * buffers fill. The tool publishes R/s for T seconds. Afterwards the slow clients read again, so
 * that what their buffers held, the {@code dropped} messages and any 4001 close reach them.
 * Question: are fast clients isolated from slow ones (docs/protocol.md §6: their latency, no drops
 * for them), is every change of a slow client delivered or named as dropped, are slow clients
 * closed with 4001, and does server memory stay flat (§6)? With {@code buffer.budgetBytes} set low,
 * also: do all buffers together stay within the budget ({@link BudgetFigures}), and do the fast
 * clients keep the p99 of a run without slow clients ({@code --baseline-p99-ms})?
 *
 * <p>Stateless; runs on the main thread.
 */
public final class SlowScenario implements Scenario {

  @Override
  public String name() {
    return "slow";
  }

  @Override
  public String question() {
    return "Do K clients that stop reading leave N fast ones unharmed (latency, no drops), get"
        + " every change delivered or named as dropped, get closed with 4001, and keep"
        + " server memory flat?";
  }

  @Override
  public String topology() {
    return "one topic, --clients fast subscribers plus --slow subscribers that pause their socket "
        + "--slow-after-ms after going live; --rate changes/s for --duration s; then the slow ones "
        + "read again to collect their drops and close codes";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        Scenarios.defaultOf("clients", "50"),
        OptionSpec.value(
            "slow", "K", "5", "clients that stop reading (0: a baseline for the fast ones)"),
        OptionSpec.value("slow-after-ms", "MS", "0", "how long after going live they stop"),
        OptionSpec.value(
            "slow-read", "PER_SECOND", "0", "messages a slow client still reads a second"),
        OptionSpec.value(
            "slow-rcvbuf",
            "BYTES",
            "0",
            "slow clients' socket receive buffer (0: the OS default, autotuned to megabytes)"),
        OptionSpec.value("max-p99-ms", "MS", "100", "largest p99 latency fast clients may see"),
        OptionSpec.value(
            "baseline-p99-ms",
            "MS",
            "0",
            "fast clients' p99 of a run without slow clients, to check --max-p99-ratio against"
                + " (0: no such check)"),
        OptionSpec.value(
            "max-p99-ratio", "X", "1.2", "largest fast p99 as a multiple of --baseline-p99-ms"));
  }

  @Override
  public int maxSockets(Options o) {
    return o.integer("clients", 0) + o.integer("slow", 0);
  }

  @Override
  public RunResult run(Harness h) {
    Options o = h.options();
    Runs.Load load = Runs.Load.of(o);
    int n = load.clients();
    int k = o.integer("slow", 0);
    int size = load.size();
    double maxP99 = o.decimal("max-p99-ms", 0.001, 1e6);
    RunResult r = Runs.newResult(this, h);

    h.shared().slowReceiveBuffer(o.integer("slow-rcvbuf", 0));
    h.connect(n, h.plan(), false, "fast");
    h.connect(
        k, h.plan().slow(o.longValue("slow-after-ms", 0), o.integer("slow-read", 0)), true, "slow");
    if (!Runs.awaitAllLive(h, r, n + k)) {
      return Runs.finish(r, h);
    }
    ProcessProbe server = h.serverProbe();
    h.sampler().sampleServerView(() -> h.api().connectionsView());
    long heapBefore = server == null ? -1 : server.heapAfterGc();
    BudgetFigures.Reading budgetBefore = BudgetFigures.Reading.of(h.api().metrics());

    CompletableFuture<Sampler.Mark> start = Runs.measureAfterWarmup(h, o);
    PublishReport p =
        h.publish(load.rate(), load.durationMs(), Long.MAX_VALUE, Runs.updates(o, size));
    h.sampler().phase("drain-fast");
    int fastReached = h.awaitReached(p.lastSeq(), n, false, Runs.drainMs(o));
    Sampler.Mark end = h.sampler().mark();
    Histogram fastLatency = h.sampler().totalLatency();
    h.sampler().pauseTotal();
    Sampler.ServerView view = h.api().connectionsView();
    long heapAfter = server == null ? -1 : server.heapAfterGc();

    h.sampler().phase("slow-read");
    h.resumeReading();
    // Each slow client ends either at the last seq or closed; wait for that (bounded).
    h.await(() -> slowSettled(h, p.lastSeq()), Runs.drainMs(o));

    BudgetFigures.Reading budgetAfter = BudgetFigures.Reading.of(h.api().metrics());
    List<ClientReport> reports = h.reports();
    List<ClientReport> fast = new ArrayList<>();
    List<ClientReport> slow = new ArrayList<>();
    for (ClientReport c : reports) {
      (c.slow() ? slow : fast).add(c);
    }
    long fastReceived = Figures.sum(fast, ClientReport::received);
    long fastDropped = Figures.sum(fast, ClientReport::droppedByServer);
    long slowReceived = Figures.sum(slow, ClientReport::received);
    long slowDropped = Figures.sum(slow, ClientReport::droppedByServer);
    long slow4001 = slow.stream().filter(c -> c.lastCloseCode() == 4001).count();

    r.put(Figures.RUN, "fast subscribers", n);
    r.put(Figures.RUN, "slow subscribers", k);
    r.put(Figures.RUN, "row bytes", size);
    Figures.publishing(r, p);
    r.put("fast clients", "deliveries", fastReceived);
    r.put("fast clients", "expected (N × published)", (long) n * p.accepted());
    r.put("fast clients", "dropped by server", fastDropped);
    r.put("fast clients", "at the last seq", fastReached);
    r.put("slow clients", "deliveries", slowReceived);
    r.put("slow clients", "dropped by server (named)", slowDropped);
    r.put("slow clients", "closed with 4001", slow4001);
    r.put("slow clients", "still open", slow.stream().filter(ClientReport::open).count());
    if (view != null) {
      String sv = "server view (/api/connections at end of publishing)";
      r.put(sv, "connections", view.connections());
      r.put(sv, "pending events", view.pending());
      r.put(sv, "dropped", view.dropped());
      r.put(sv, "highest fill", view.maxFill());
    }
    Figures.latency(r, fastLatency);
    Figures.correctness(r, h.tally());
    Figures.cost(r, h, h.sampler().resolve(start), end);
    if (heapBefore > 0 && heapAfter > 0) {
      r.put(
          Figures.COST,
          "server heap after GC before publishing MiB",
          Percentiles.round(heapBefore / 1048576.0));
      r.put(
          Figures.COST,
          "server heap after GC at the end MiB",
          Percentiles.round(heapAfter / 1048576.0));
    }
    Figures.connections(r, h.tally());
    double p99 = Percentiles.ms(fastLatency, 99);
    r.check(
        Check.of("fast clients reached the last seq", fastReached == n, fastReached + " of " + n));
    r.check(
        Check.equal(
            "fast clients got every change (isolation)", fastReceived, (long) n * p.accepted()));
    r.check(Check.equal("fast clients had nothing dropped", fastDropped, 0));
    r.check(
        Check.of(
            "fast clients' p99 within --max-p99-ms",
            p99 <= maxP99,
            String.format(java.util.Locale.ROOT, "p99 %.2f ms, limit %.0f ms", p99, maxP99)));
    BudgetFigures.report(
        r, budgetBefore, budgetAfter, BudgetFigures.allowanceBytes(n + k, p, size));
    BudgetFigures.baseline(
        r, p99, o.decimal("baseline-p99-ms", 0, 1e6), o.decimal("max-p99-ratio", 1, 100));
    r.note(
        "slow clients pause their sockets, so a 4001 close reaches them only when they read again"
            + " after publishing; the server's view is under 'server view' when /api/connections"
            + " answers");
    return Runs.finish(r, h);
  }

  /** Whether every slow client is at the last seq or closed. */
  private static boolean slowSettled(Harness h, long lastSeq) {
    for (ClientReport c : h.reports()) {
      if (c.slow() && c.open() && c.last().getOrDefault(h.topic(), -1L) < lastSeq) {
        return false;
      }
    }
    return true;
  }
}
