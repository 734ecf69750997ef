package io.slipstream.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Renders a {@link RunResult} as one self-contained HTML page: verdict, options, figures, checks,
 * steps, and SVG charts of throughput, latency percentiles, drops, connections, memory and CPU over
 * time. No scripts, no external resources: the file can be mailed or archived.
 *
 * <p>Stateless and thread-safe.
 */
public final class HtmlReport {

  private static final int W = 900;
  private static final int H = 260;

  private HtmlReport() {}

  /** The page. */
  public static String render(RunResult r) {
    StringBuilder sb = new StringBuilder(64 * 1024);
    sb.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Slipstream load test: ")
        .append(Html.escape(r.scenario()))
        .append("</title>")
        .append("<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}")
        .append("table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ddd;")
        .append("padding:3px 8px;text-align:left;font-size:13px}th{background:#f4f4f4}")
        .append("td.n{text-align:right;font-variant-numeric:tabular-nums}")
        .append(".pass{color:#2a7a2a;font-weight:bold}.fail{color:#b00;font-weight:bold}")
        .append("svg{display:block;margin:1em 0}</style></head><body>");
    sb.append("<h1>").append(Html.escape(r.scenario())).append("</h1>");
    sb.append("<p><em>").append(Html.escape(r.question())).append("</em></p>");
    sb.append("<p>Started ")
        .append(Html.escape(r.startedAt()))
        .append(". Verdict: ")
        .append(
            r.passed() ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>")
        .append("</p>");
    if (!r.checks().isEmpty()) {
      sb.append("<h2>Checks</h2><table><tr><th>check</th><th>result</th><th>detail</th></tr>");
      for (Check c : r.checks()) {
        sb.append("<tr><td>")
            .append(Html.escape(c.name()))
            .append("</td><td class=\"")
            .append(c.passed() ? "pass\">PASS" : "fail\">FAIL")
            .append("</td><td>")
            .append(Html.escape(c.detail()))
            .append("</td></tr>");
      }
      sb.append("</table>");
    }
    for (Map.Entry<String, Map<String, Object>> s : r.sections().entrySet()) {
      sb.append("<h2>").append(Html.escape(s.getKey())).append("</h2><table>");
      for (Map.Entry<String, Object> e : s.getValue().entrySet()) {
        sb.append("<tr><th>")
            .append(Html.escape(e.getKey()))
            .append("</th><td class=\"n\">")
            .append(Html.escape(TextReport.format(e.getValue())))
            .append("</td></tr>");
      }
      sb.append("</table>");
    }
    table(sb, "Steps", r.steps());
    sb.append("<h2>Over time</h2>");
    for (SvgChart c : resourceCharts(r.resources())) {
      sb.append(c.render(W, H));
    }
    for (SvgChart c : charts(r.timeline())) {
      sb.append(c.render(W, H));
    }
    for (Map.Entry<String, List<Map<String, Object>>> t : r.tables().entrySet()) {
      table(sb, t.getKey(), t.getValue());
    }
    for (String n : r.notes()) {
      sb.append("<p>Note: ").append(Html.escape(n)).append("</p>");
    }
    sb.append("<h2>Options</h2><table>");
    for (Map.Entry<String, String> e : r.options().entrySet()) {
      sb.append("<tr><th>--")
          .append(Html.escape(e.getKey()))
          .append("</th><td>")
          .append(Html.escape(e.getValue()))
          .append("</td></tr>");
    }
    sb.append("</table></body></html>\n");
    return sb.toString();
  }

  private static void table(StringBuilder sb, String title, List<Map<String, Object>> rows) {
    if (rows.isEmpty()) {
      return;
    }
    sb.append("<h2>").append(Html.escape(title)).append("</h2><table><tr>");
    for (String k : rows.get(0).keySet()) {
      sb.append("<th>").append(Html.escape(k)).append("</th>");
    }
    sb.append("</tr>");
    for (Map<String, Object> row : rows) {
      sb.append("<tr>");
      for (Object v : row.values()) {
        sb.append("<td class=\"n\">").append(Html.escape(TextReport.format(v))).append("</td>");
      }
      sb.append("</tr>");
    }
    sb.append("</table>");
  }

  /**
   * The charts of the resource readings of a long run, those that have data: heap after GC with
   * the least-squares line of its steady readings, file descriptors and threads, sessions and
   * connections.
   */
  static List<SvgChart> resourceCharts(List<ResourceSample> samples) {
    List<SvgChart> out = new ArrayList<>();
    if (samples.isEmpty()) {
      return out;
    }
    double[] x = column(samples, ResourceSample::t);
    double[] heap = column(samples, ResourceSample::heapAfterGcMb);
    double[] steadyHeap = column(samples, s -> s.steady() ? s.heapAfterGcMb() : Double.NaN);
    LeastSquares.Fit fit = LeastSquares.fit(x, steadyHeap);
    double[] trend = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      trend[i] = Double.isFinite(steadyHeap[i]) ? fit.at(x[i]) : Double.NaN;
    }
    List<SvgChart> all = new ArrayList<>();
    all.add(
        resourceMarked(
            new SvgChart("Server heap after a full GC", "MiB", x)
                .series("heap after GC", heap)
                .series("least-squares line (steady readings)", trend),
            samples));
    all.add(
        resourceMarked(
            new SvgChart("Server file descriptors and threads (/proc)", "count", x)
                .series("open file descriptors", column(samples, s -> count(s.fds())))
                .series("threads", column(samples, s -> count(s.threads()))),
            samples));
    all.add(
        resourceMarked(
            new SvgChart("Sessions and connections", "count", x)
                .series(
                    "sessions (server /metrics)", column(samples, s -> count(s.sessions())))
                .series(
                    "connections (server /metrics)",
                    column(samples, s -> count(s.serverConnections())))
                .series(
                    "connections (GET /api/connections)",
                    column(samples, s -> count(s.listedConnections())))
                .series("sockets open (tool)", column(samples, s -> s.open())),
            samples));
    for (SvgChart c : all) {
      if (c.hasData()) {
        out.add(c);
      }
    }
    return out;
  }

  private static double count(long n) {
    return n < 0 ? Double.NaN : n;
  }

  private static SvgChart resourceMarked(SvgChart c, List<ResourceSample> samples) {
    String phase = null;
    for (ResourceSample s : samples) {
      if (s.phase() != null && !s.phase().equals(phase)) {
        c.marker(s.t(), s.phase());
        phase = s.phase();
      }
    }
    return c;
  }

  /** The charts that have data, in reading order. */
  static List<SvgChart> charts(List<Sample> samples) {
    double[] x = column(samples, Sample::t);
    List<SvgChart> out = new ArrayList<>();
    List<SvgChart> all = new ArrayList<>();
    all.add(
        marked(
            new SvgChart("Deliveries (changes received, all clients)", "per second", x)
                .series("delivered/s", column(samples, Sample::deliveredPerSec)),
            samples));
    all.add(
        marked(
            new SvgChart("Publishing (changes accepted by the server)", "per second", x)
                .series("published/s", column(samples, Sample::publishedPerSec)),
            samples));
    all.add(
        marked(
            new SvgChart("Latency, publish to receive (log scale)", "ms", x)
                .logY()
                .series("p50", column(samples, Sample::p50))
                .series("p90", column(samples, Sample::p90))
                .series("p99", column(samples, Sample::p99))
                .series("p99.9", column(samples, Sample::p999))
                .series("max", column(samples, Sample::max)),
            samples));
    all.add(
        marked(
            new SvgChart("Drops and violations", "count", x)
                .series("dropped by server /s", column(samples, Sample::droppedPerSec))
                .series("gaps (total)", column(samples, s -> s.gaps()))
                .series("duplicates (total)", column(samples, s -> s.duplicates()))
                .series("4001 closes (total)", column(samples, s -> s.closes4001()))
                .series(
                    "dropped, server view (open connections)",
                    column(samples, s -> s.serverDropped() < 0 ? Double.NaN : s.serverDropped())),
            samples));
    all.add(
        marked(
            new SvgChart("Buffers, server view (GET /api/connections)", "events", x)
                .series(
                    "pending events (all connections)",
                    column(samples, s -> s.serverPending() < 0 ? Double.NaN : s.serverPending())),
            samples));
    all.add(
        marked(
            new SvgChart("Fullest buffer, server view", "fill", x)
                .series("highest fill", column(samples, Sample::serverMaxFill)),
            samples));
    all.add(
        marked(
            new SvgChart("Connections", "sockets", x)
                .series("open", column(samples, s -> s.open()))
                .series("live subscriptions", column(samples, s -> s.live()))
                .series("reconnects (total)", column(samples, s -> s.reconnects())),
            samples));
    all.add(
        marked(
            new SvgChart("Server memory (RSS)", "MiB", x)
                .series("server RSS", column(samples, Sample::serverRssMb)),
            samples));
    all.add(
        marked(
            new SvgChart("CPU", "cores", x)
                .series("server", column(samples, Sample::serverCpu))
                .series("load tool", column(samples, Sample::toolCpu)),
            samples));
    for (SvgChart c : all) {
      if (c.hasData()) {
        out.add(c);
      }
    }
    return out;
  }

  private static SvgChart marked(SvgChart c, List<Sample> samples) {
    String phase = null;
    for (Sample s : samples) {
      if (s.phase() != null && !s.phase().equals(phase)) {
        c.marker(s.t() - 1, s.phase());
        phase = s.phase();
      }
    }
    return c;
  }

  private static <T> double[] column(List<T> samples, ToDoubleFunction<T> f) {
    double[] out = new double[samples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(samples.get(i));
    }
    return out;
  }
}
