package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.proc.HeapWatch;
import io.slipstream.loadtest.publish.ChangeBodies;
import io.slipstream.loadtest.publish.PublishPlan;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.RunResult;
import io.vertx.core.Future;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * {@code snapshot}: M clients subscribe at once to a topic of K rows while it changes.
 *
 * <p>Topology: the tool fills a fresh topic with K rows ({@code k0..k<K-1>}), starts publishing R/s
 * of UPDATEs (and a share of DELETEs) for T seconds, and after {@code --subscribe-after} seconds
 * opens M clients at once. Every client keeps each key's version from the snapshot and the changes
 * after it. When publishing has stopped and every client has the last seq, the tool reads {@code
 * GET /api/topics/{topic}/rows} and compares it with every client's state, key by key. Question:
 * how long until all M are live, and is every client's state exactly the server's (docs/protocol.md
 * §5)?
 *
 * <p>Stateless; runs on the main thread.
 */
public final class SnapshotScenario implements Scenario {

  @Override
  public String name() {
    return "snapshot";
  }

  @Override
  public String question() {
    return "When M clients subscribe at once to a changing topic of K rows, how long until all are"
        + " live, and does every client end with exactly the server's state?";
  }

  @Override
  public String topology() {
    return "one topic preloaded with --rows rows, --rate changes/s for --duration s, --clients"
        + " clients subscribing together after --subscribe-after s; state compared with GET"
        + " …/rows at the end; with --server-pid, the server's peak heap before and while they"
        + " subscribe (jstat)";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        Scenarios.defaultOf("rate", "500"),
        Scenarios.defaultOf("duration", "10"),
        Scenarios.defaultOf("connect-rate", "100000"),
        OptionSpec.value("rows", "K", "10000", "rows in the topic (keys k0..k<K-1>)"),
        OptionSpec.value("delete-ratio", "RATIO", "0.02", "share of changes that are DELETEs"),
        OptionSpec.value(
            "subscribe-after", "SECONDS", "1", "publishing time before the clients subscribe"));
  }

  @Override
  public RunResult run(Harness h) {
    Options o = h.options();
    int m = o.integer("clients", 1);
    int rows = o.integer("rows", 1);
    double rate = o.decimal("rate", 0.001, 1e9);
    int size = o.integer("size", 0);
    long durationMs = (long) (o.decimal("duration", 0.1, 86_400) * 1000);
    long subscribeAfterMs = (long) (o.decimal("subscribe-after", 0, 86_400) * 1000);
    int maxBatch = o.integer("max-batch", 1);
    RunResult r = Runs.newResult(this, h);

    h.sampler().phase("preload");
    h.log("preloading " + rows + " rows into " + h.topic());
    PublishReport preload =
        h.publish(
            new PublishPlan(
                h.changesUrl(),
                h.publishHeaders(),
                1e9,
                120_000,
                rows,
                1,
                new ChangeBodies("INSERT", size, rows, 0, 512 * 1024, Math.max(maxBatch, 1000)),
                true,
                false));
    r.check(Check.equal("preloaded rows accepted", preload.accepted(), rows));
    if (preload.accepted() != rows) {
      Figures.publishing(r, preload);
      return Runs.finish(r, h);
    }

    h.sampler().phase("publish");
    ChangeBodies bodies =
        new ChangeBodies(
                "UPDATE", size, rows, o.decimal("delete-ratio", 0, 0.99), 512 * 1024, maxBatch)
            .versionsAfter(rows);
    HeapWatch before = watchHeap(h);
    Future<PublishReport> publishing = h.publishAsync(rate, durationMs, Long.MAX_VALUE, bodies);
    Harness.sleep(Math.min(subscribeAfterMs, durationMs));
    HeapWatch.Peaks heapBefore = before == null ? null : before.stop();
    HeapWatch during = watchHeap(h);

    h.sampler().phase("subscribe");
    h.sampler().measureLatencyFrom(0);
    Sampler.Mark start = h.sampler().mark();
    long t0 = System.nanoTime();
    h.connect(m, h.plan().trackingRows(rows), false, "snap");
    boolean allLive = h.awaitLive(m, Runs.connectTimeoutMs(m) + 60_000);
    double allLiveSeconds = (System.nanoTime() - t0) / 1e9;
    Histogram ttl = h.shared().timeToLive().getIntervalHistogram();
    h.sampler().phase("publish");
    PublishReport p = h.awaitPublish(publishing, durationMs);

    h.sampler().phase("drain");
    int reached = h.awaitReached(p.lastSeq(), m, false, Runs.drainMs(o));
    Sampler.Mark end = h.sampler().mark();
    h.sampler().pauseTotal();
    HeapWatch.Peaks heapDuring = during == null ? null : during.stop();

    ServerRows server = ServerRows.parse(h.api().rows(h.topic()), rows);
    List<ClientReport> reports = h.reports();
    int consistent = 0;
    long wrongKeys = 0;
    String firstMismatch = null;
    for (ClientReport c : reports) {
      int wrong = server.differences(c.rows());
      if (wrong == 0) {
        consistent++;
      } else if (firstMismatch == null) {
        firstMismatch = server.firstDifference(c.id(), c.rows());
      }
      wrongKeys += wrong;
    }
    long serverSeq = server.seq();
    r.put(Figures.RUN, "clients", m);
    r.put(Figures.RUN, "rows", rows);
    r.put(Figures.RUN, "row bytes", size);
    Figures.publishing(r, p);
    r.put("snapshot", "time until all live s", Percentiles.round(allLiveSeconds));
    r.put("snapshot", "subscribe to live p50 ms", Percentiles.round(Percentiles.ms(ttl, 50)));
    r.put("snapshot", "subscribe to live p99 ms", Percentiles.round(Percentiles.ms(ttl, 99)));
    r.put(
        "snapshot",
        "subscribe to live max ms",
        ttl.getTotalCount() == 0 ? Double.NaN : ttl.getMaxValue() / 1000.0);
    r.put("snapshot", "snapshot rows received", h.tally().snapshotRows.sum());
    r.put("snapshot", "clients at the last seq", reached);
    r.put("snapshot", "server rows at the end", server.size());
    r.put("snapshot", "server seq at the end", serverSeq);
    r.put("snapshot", "clients consistent with the server", consistent);
    r.put("snapshot", "keys differing (all clients)", wrongKeys);
    heap(r, "before subscribing", heapBefore);
    heap(r, "subscribe to drained", heapDuring);
    Figures.latency(r, h.sampler().totalLatency());
    Figures.correctness(r, h.tally());
    Figures.cost(r, h, start, end);
    Figures.connections(r, h.tally());
    r.check(Check.of("all clients live", allLive, h.tally().live.get() + " of " + m));
    r.check(Check.of("every client reached the last seq", reached == m, reached + " of " + m));
    r.check(Check.equal("server rows read at the last published seq", serverSeq, p.lastSeq()));
    r.check(Check.equal("server row keys all parsed", server.unparsable(), 0));
    r.check(
        Check.of(
            "every client's state equals the server's",
            consistent == m,
            consistent + " of " + m + (firstMismatch == null ? "" : "; first: " + firstMismatch)));
    return Runs.finish(r, h);
  }

  /**
   * A watch of the server's heap ({@code jstat}, every 100 ms) that is already reading, or null
   * without {@code --server-pid}.
   */
  private static HeapWatch watchHeap(Harness h) {
    if (h.serverProbe() == null) {
      return null;
    }
    HeapWatch w = HeapWatch.start(Long.parseLong(h.serverProbe().pid()), 100);
    try {
      w.awaitSamples(1, 20_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return w;
  }

  /**
   * The server's peak heap in a phase: used (with the garbage not yet collected) and retained (what
   * survived a young collection, the figure that follows the snapshots in flight).
   */
  private static void heap(RunResult r, String phase, HeapWatch.Peaks p) {
    if (p == null) {
      r.note("no server heap peaks " + phase + ": no --server-pid");
      return;
    }
    if (p.samples() == 0) {
      r.note("no server heap peaks " + phase + ": " + p.problem());
      return;
    }
    r.put("snapshot", "server peak heap used " + phase + " MiB", Percentiles.round(p.usedMiB()));
    r.put(
        "snapshot",
        "server peak heap retained " + phase + " MiB",
        Percentiles.round(p.retainedMiB()));
  }
}
