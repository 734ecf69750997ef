package io.slipstream.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link RunResult} as the {@code result.json} document: scenario, question, verdict,
 * options, sections, checks, notes, steps, tables, the timeline (one object per second) and the
 * resource readings (one object every few seconds); NaN and unmeasured counts become null.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonReport {

  private JsonReport() {}

  /** The document. */
  public static JsonObject render(RunResult r) {
    JsonObject o =
        new JsonObject()
            .put("scenario", r.scenario())
            .put("question", r.question())
            .put("startedAt", r.startedAt())
            .put("passed", r.passed());
    JsonObject options = new JsonObject();
    r.options().forEach(options::put);
    o.put("options", options);
    JsonObject sections = new JsonObject();
    for (Map.Entry<String, Map<String, Object>> s : r.sections().entrySet()) {
      JsonObject sec = new JsonObject();
      s.getValue().forEach((k, v) -> sec.put(k, value(v)));
      sections.put(s.getKey(), sec);
    }
    o.put("results", sections);
    JsonArray checks = new JsonArray();
    for (Check c : r.checks()) {
      checks.add(
          new JsonObject()
              .put("name", c.name())
              .put("passed", c.passed())
              .put("detail", c.detail()));
    }
    o.put("checks", checks);
    o.put("notes", new JsonArray(r.notes()));
    o.put("steps", rows(r.steps()));
    JsonObject tables = new JsonObject();
    for (Map.Entry<String, List<Map<String, Object>>> t : r.tables().entrySet()) {
      tables.put(t.getKey(), rows(t.getValue()));
    }
    o.put("tables", tables);
    JsonArray timeline = new JsonArray();
    for (Sample s : r.timeline()) {
      timeline.add(sample(s));
    }
    o.put("timeline", timeline);
    JsonArray resources = new JsonArray();
    for (ResourceSample s : r.resources()) {
      resources.add(resource(s));
    }
    o.put("resources", resources);
    return o;
  }

  private static JsonArray rows(List<Map<String, Object>> rows) {
    JsonArray out = new JsonArray();
    for (Map<String, Object> row : rows) {
      JsonObject so = new JsonObject();
      row.forEach((k, v) -> so.put(k, value(v)));
      out.add(so);
    }
    return out;
  }

  static JsonObject resource(ResourceSample s) {
    return new JsonObject()
        .put("t", num(s.t()))
        .put("phase", s.phase())
        .put("steady", s.steady())
        .put("heapAfterGcMiB", num(s.heapAfterGcMb()))
        .put("serverRssMiB", num(s.rssMb()))
        .put("serverFds", count(s.fds()))
        .put("serverThreads", count(s.threads()))
        .put("serverSessions", count(s.sessions()))
        .put("serverConnections", count(s.serverConnections()))
        .put("listedConnections", count(s.listedConnections()))
        .put("open", s.open())
        .put("reconnects", s.reconnects())
        .put("published", s.published())
        .put("delivered", s.delivered())
        .put("lost", s.lost())
        .put("doubled", s.doubled());
  }

  private static Long count(long n) {
    return n < 0 ? null : n;
  }

  static JsonObject sample(Sample s) {
    return new JsonObject()
        .put("t", num(s.t()))
        .put("phase", s.phase())
        .put("open", s.open())
        .put("live", s.live())
        .put("published", s.published())
        .put("publishedPerSec", num(s.publishedPerSec()))
        .put("delivered", s.delivered())
        .put("deliveredPerSec", num(s.deliveredPerSec()))
        .put("droppedByServer", s.droppedByServer())
        .put("droppedPerSec", num(s.droppedPerSec()))
        .put("gaps", s.gaps())
        .put("duplicates", s.duplicates())
        .put("closes4001", s.closes4001())
        .put("reconnects", s.reconnects())
        .put("latencyCount", s.latencyCount())
        .put("p50Ms", num(s.p50()))
        .put("p90Ms", num(s.p90()))
        .put("p99Ms", num(s.p99()))
        .put("p999Ms", num(s.p999()))
        .put("maxMs", num(s.max()))
        .put("serverCpuCores", num(s.serverCpu()))
        .put("serverRssMiB", num(s.serverRssMb()))
        .put("toolCpuCores", num(s.toolCpu()))
        .put("serverPending", s.serverPending() < 0 ? null : s.serverPending())
        .put("serverDropped", s.serverDropped() < 0 ? null : s.serverDropped())
        .put("serverMaxFill", num(s.serverMaxFill()));
  }

  private static Object value(Object v) {
    if (v instanceof Double) {
      return num((Double) v);
    }
    if (v instanceof Map || v instanceof Iterable) {
      return v.toString();
    }
    return v;
  }

  private static Double num(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? null : Percentiles.round(d);
  }
}
