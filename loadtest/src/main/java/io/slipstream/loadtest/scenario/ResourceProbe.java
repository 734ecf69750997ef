package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.accounting.Tally;
import io.slipstream.loadtest.proc.ProcessProbe;
import io.slipstream.loadtest.publish.Publisher;
import io.slipstream.loadtest.report.ResourceSample;
import io.vertx.core.json.JsonArray;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the server's resources for a long run, one {@link ResourceSample} per call: heap after a
 * full GC, RSS, file descriptors and threads from {@code /proc} (with {@code --server-pid}),
 * sessions and connections from {@code GET /metrics} and {@code GET /api/connections}.
 *
 * <p>Where the heap comes from ({@link Heap}): {@code jcmd PID -f} running {@code GC.run} and
 * {@code GC.heap_info}, so every reading is the live set after a full collection; or the {@code
 * jvm_gc_live_data_size_bytes} gauge of {@code /metrics} (Micrometer's old generation after the
 * last major collection), which forces nothing but changes only when the JVM collects the old
 * generation. Without {@code --server-pid}, or when {@code jcmd} fails, {@code jcmd} falls back to
 * {@code /metrics} and says so in {@link #heapSource()}.
 *
 * <p>Not thread-safe: the scenario's main thread calls it. Every call blocks for at most a few
 * seconds ({@code jcmd} up to 30 s, each HTTP call 2 s).
 */
final class ResourceProbe {

  /** Where heap-after-GC readings come from. */
  enum Heap {
    /** {@code jcmd}: a forced full GC, then the heap in use. */
    JCMD,
    /** The server's {@code jvm_gc_live_data_size_bytes} gauge. */
    METRICS,
    /** No heap readings. */
    NONE;

    static Heap parse(String s) {
      switch (s) {
        case "jcmd":
          return JCMD;
        case "metrics":
          return METRICS;
        case "none":
          return NONE;
        default:
          throw new IllegalArgumentException("--heap must be jcmd, metrics or none, was " + s);
      }
    }
  }

  private static final String LIVE_DATA = "jvm_gc_live_data_size_bytes";

  private final ProcessProbe server;
  private final ServerApi api;
  private final Sampler clock;
  private final Tally tally;
  private final Publisher publisher;
  private Heap heap;
  private String fallback;

  ResourceProbe(Harness h, Heap heap) {
    this.server = h.serverProbe();
    this.api = h.api();
    this.clock = h.sampler();
    this.tally = h.tally();
    this.publisher = h.publisher();
    this.heap = heap;
    if (heap == Heap.JCMD && server == null) {
      fall("no --server-pid to run jcmd against");
    }
  }

  private void fall(String why) {
    heap = Heap.METRICS;
    fallback = why;
  }

  /** Where the heap readings came from, and why when it is not what was asked. */
  String heapSource() {
    String s;
    switch (heap) {
      case JCMD:
        s = "jcmd GC.run + GC.heap_info (a forced full GC per reading)";
        break;
      case METRICS:
        s = "/metrics " + LIVE_DATA + " (old generation after the last major GC; nothing forced)";
        break;
      default:
        s = "none";
        break;
    }
    return fallback == null ? s : s + "; instead of jcmd: " + fallback;
  }

  /** Reads everything now, labelled {@code phase}; {@code steady} marks the readings to fit. */
  ResourceSample take(String phase, boolean steady) {
    double heapMb = Double.NaN;
    if (heap == Heap.JCMD) {
      long bytes = server.heapAfterGc();
      if (bytes > 0) {
        heapMb = bytes / 1048576.0;
      } else {
        fall("jcmd failed (not a JVM, another user, or no jcmd in this JDK)");
      }
    }
    // After jcmd, so that the gauges see the collection it forced.
    Map<String, Double> metrics = api.metrics();
    if (heap == Heap.METRICS && metrics != null) {
      heapMb = PrometheusText.sum(metrics, LIVE_DATA) / 1048576.0;
    }
    ProcessProbe.Sample proc = server == null ? null : server.sample();
    JsonArray listed = api.connections();
    return new ResourceSample(
        clock.elapsedSeconds(),
        phase,
        steady,
        heapMb,
        proc == null ? Double.NaN : proc.rssBytes() / 1048576.0,
        server == null ? -1 : server.openFds(),
        proc == null ? -1 : proc.threads(),
        gauge(metrics, "slipstream_sessions"),
        gauge(metrics, "slipstream_connections"),
        listed == null ? -1 : listed.size(),
        tally.open.get(),
        tally.reconnects.sum(),
        publisher.accepted(),
        tally.received.sum(),
        tally.gaps.sum(),
        tally.duplicates.sum());
  }

  /** The server's {@code slipstream_connections} now, or -1 when {@code /metrics} has none. */
  long serverConnections() {
    return gauge(api.metrics(), "slipstream_connections");
  }

  private static long gauge(Map<String, Double> metrics, String name) {
    if (metrics == null) {
      return -1;
    }
    double v = PrometheusText.sum(metrics, name);
    return Double.isNaN(v) ? -1 : Math.round(v);
  }

  /** The progress line of one reading. */
  static String line(ResourceSample s, double heapSlopePerMin) {
    StringBuilder sb =
        new StringBuilder(
            String.format(Locale.ROOT, "[%6.1fs] %-10s resources:", s.t(), s.phase()));
    if (Double.isFinite(s.heapAfterGcMb())) {
      sb.append(String.format(Locale.ROOT, " heapAfterGC=%.1fMiB", s.heapAfterGcMb()));
      if (Double.isFinite(heapSlopePerMin)) {
        sb.append(String.format(Locale.ROOT, " (%+.2fMiB/min)", heapSlopePerMin));
      }
    }
    if (Double.isFinite(s.rssMb())) {
      sb.append(String.format(Locale.ROOT, " RSS=%.0fMiB", s.rssMb()));
    }
    append(sb, " fds=", s.fds());
    append(sb, " threads=", s.threads());
    append(sb, " sessions=", s.sessions());
    append(sb, " conns=", s.serverConnections());
    append(sb, " listed=", s.listedConnections());
    sb.append(" open=").append(s.open()).append(" reconnects=").append(s.reconnects());
    sb.append(" lost=").append(s.lost()).append(" doubled=").append(s.doubled());
    return sb.toString();
  }

  private static void append(StringBuilder sb, String label, long v) {
    if (v >= 0) {
      sb.append(label).append(v);
    }
  }
}
