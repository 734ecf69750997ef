package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.accounting.Tally;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.RunResult;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The sections every scenario reports the same way: publishing, latency, correctness, cost (server
 * and tool CPU per million deliveries, peak RSS) and closes.
 *
 * <p>Stateless; called on the main thread.
 */
final class Figures {

  static final String RUN = "run";
  static final String LATENCY = "latency, publish to receive (ms)";
  static final String CORRECTNESS = "correctness";
  static final String COST = "cost";

  private Figures() {}

  static void publishing(RunResult r, PublishReport p) {
    r.put(RUN, "target rate /s", p.targetRate());
    r.put(RUN, "published (accepted)", p.accepted());
    r.put(RUN, "published rate /s", Percentiles.round(p.achievedRate()));
    r.put(RUN, "publish requests", p.requests());
    r.put(RUN, "publish failures", p.failedRequests());
    if (p.roundTrips() != null && p.roundTrips().getTotalCount() > 0) {
      r.put(
          RUN,
          "changes per request (avg)",
          Percentiles.round(p.sent() / (double) Math.max(1, p.requests())));
      r.put(
          RUN, "publish round trip p50 ms", Percentiles.round(Percentiles.ms(p.roundTrips(), 50)));
      r.put(
          RUN, "publish round trip p99 ms", Percentiles.round(Percentiles.ms(p.roundTrips(), 99)));
    }
    if (p.firstError() != null) {
      r.note("first publish failure: " + p.firstError());
    }
    if (p.failedRequests() == 0
        && p.achievedRate() < p.targetRate() * 0.95
        && p.targetRate() < 1e8) {
      r.note(
          String.format(
              java.util.Locale.ROOT,
              "the publisher reached %.0f/s of the %.0f/s asked (largest backlog %d changes): "
                  + "the publish path (HTTP + sequencing) or the machine is saturated",
              p.achievedRate(),
              p.targetRate(),
              p.maxLag()));
    }
  }

  static void latency(RunResult r, Histogram h) {
    for (Map.Entry<String, Object> e : Percentiles.summary(h).entrySet()) {
      r.put(LATENCY, e.getKey(), e.getValue());
    }
  }

  /** Correctness figures from the tally and the standard zero-violation checks. */
  static void correctness(RunResult r, Tally t) {
    r.put(CORRECTNESS, "gaps (lost, unexplained)", t.gaps.sum());
    r.put(CORRECTNESS, "duplicates", t.duplicates.sum());
    r.put(CORRECTNESS, "other protocol violations", t.protocolErrors.sum());
    r.put(CORRECTNESS, "dropped by server (named)", t.droppedByServer.sum());
    r.put(CORRECTNESS, "conflated (named)", t.conflated.sum());
    r.put(CORRECTNESS, "resets", t.resets.sum());
    r.put(CORRECTNESS, "warnings", t.warnings.sum());
    r.put(CORRECTNESS, "error messages", t.errors.sum());
    r.check(Check.equal("no change lost (gaps)", t.gaps.sum(), 0));
    r.check(Check.equal("no change doubled (duplicates)", t.duplicates.sum(), 0));
    r.check(Check.equal("no other protocol violation", t.protocolErrors.sum(), 0));
  }

  /** Connection figures: opened, failed, reconnects, closes by code. */
  static void connections(RunResult r, Tally t) {
    r.put("connections", "opened", t.opened.sum());
    r.put("connections", "connect failures", t.connectFailures.sum());
    r.put("connections", "reconnects", t.reconnects.sum());
    r.put("connections", "open at end", t.open.get());
    for (Map.Entry<Integer, Long> e : t.closesByCode().entrySet()) {
      r.put("connections", "closed " + e.getKey(), e.getValue());
    }
  }

  /**
   * The server's count of bytes written to {@code /ws} sockets ({@code
   * slipstream_ws_bytes_written_total}, NaN when {@code /metrics} has none) and the deliveries the
   * clients had received, at one moment.
   */
  record Wire(double bytes, long received) {

    static final String METRIC = "slipstream_ws_bytes_written_total";

    static Wire read(Harness h) {
      Map<String, Double> m = h.api().metrics();
      double bytes = m == null ? Double.NaN : PrometheusText.sum(m, METRIC);
      return new Wire(bytes, h.tally().received.sum());
    }
  }

  /**
   * Bytes on the wire per delivery between {@code a} and {@code b}: every frame the server wrote to
   * a {@code /ws} socket (headers included, after compression) over the deliveries received, with
   * whether the clients offered permessage-deflate and the shape of the rows.
   */
  static void wire(RunResult r, Harness h, Wire a, Wire b) {
    r.put(RUN, "row shape", h.options().string("row-shape"));
    r.put(RUN, "permessage-deflate offered", h.options().flag("deflate"));
    long deliveries = b.received() - a.received();
    if (Double.isNaN(a.bytes()) || Double.isNaN(b.bytes())) {
      r.note("bytes on the wire not measured: the server's /metrics has no " + Wire.METRIC);
      return;
    }
    double bytes = b.bytes() - a.bytes();
    r.put(COST, "bytes on the wire (ws frames)", (long) bytes);
    if (deliveries > 0) {
      r.put(COST, "bytes on the wire per delivery", Percentiles.round(bytes / deliveries));
    }
  }

  /** CPU and memory between {@code a} and {@code b}. */
  static void cost(RunResult r, Harness h, Sampler.Mark a, Sampler.Mark b) {
    long deliveries = b.delivered() - a.delivered();
    double seconds = (b.nanoTime() - a.nanoTime()) / 1e9;
    double perMillion = deliveries / 1e6;
    r.put(COST, "measured over s", Percentiles.round(seconds));
    r.put(COST, "deliveries", deliveries);
    r.put(COST, "deliveries /s", Percentiles.round(deliveries / Math.max(seconds, 1e-9)));
    double tool = b.toolCpu() - a.toolCpu();
    if (!Double.isNaN(b.serverCpu())) {
      double server = b.serverCpu() - a.serverCpu();
      r.put(COST, "server CPU s", Percentiles.round(server));
      r.put(COST, "server cores (avg)", Percentiles.round(server / seconds));
      if (deliveries > 0) {
        r.put(COST, "server CPU s per 1M deliveries", Percentiles.round(server / perMillion));
      }
      r.put(COST, "server peak RSS MiB", Percentiles.round(h.sampler().peakServerRssMb()));
      double toolLoops = loops(a.toolThreads(), b.toolThreads());
      double serverLoops = loops(a.serverThreads(), b.serverThreads());
      boolean byLoops = !Double.isNaN(toolLoops) && !Double.isNaN(serverLoops);
      if (deliveries > 0
          && (byLoops ? toolLoops >= serverLoops : !Double.isNaN(tool) && tool >= server)) {
        r.note(
            "the load tool's "
                + (byLoops ? "event loops" : "process")
                + " used as much CPU per "
                + "delivery as the server's or more: the server may be faster than this run shows "
                + "(the tool measured itself)");
      }
    } else {
      r.note("server CPU and memory not sampled: pass --server-pid");
    }
    if (!Double.isNaN(tool)) {
      r.put(COST, "tool CPU s", Percentiles.round(tool));
      if (deliveries > 0) {
        r.put(COST, "tool CPU s per 1M deliveries", Percentiles.round(tool / perMillion));
      }
    }
    threads(r, "server", a.serverThreads(), b.serverThreads(), perMillion);
    threads(r, "tool", a.toolThreads(), b.toolThreads(), perMillion);
  }

  private static double loops(Map<String, Double> a, Map<String, Double> b) {
    Double end = b.get("event loops");
    return end == null ? Double.NaN : end - a.getOrDefault("event loops", 0.0);
  }

  /** CPU by thread group between two marks: event loops (the real work), GC, JIT, other. */
  private static void threads(
      RunResult r, String who, Map<String, Double> a, Map<String, Double> b, double perMillion) {
    if (b.isEmpty()) {
      return;
    }
    String section = "CPU by thread group, s (" + who + ")";
    for (Map.Entry<String, Double> e : b.entrySet()) {
      double d = e.getValue() - a.getOrDefault(e.getKey(), 0.0);
      r.put(section, e.getKey(), Percentiles.round(Math.max(0, d)));
    }
    double loops = b.getOrDefault("event loops", 0.0) - a.getOrDefault("event loops", 0.0);
    if (perMillion > 0) {
      r.put(section, "event loops per 1M deliveries", Percentiles.round(loops / perMillion));
    }
  }

  /** Sums of per-client figures over {@code reports}. */
  static long sum(List<ClientReport> reports, java.util.function.ToLongFunction<ClientReport> f) {
    long n = 0;
    for (ClientReport c : reports) {
      n += f.applyAsLong(c);
    }
    return n;
  }
}
