package io.slipstream.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Renders a {@link RunResult} as the {@code result.json} document: scenario, question, verdict,
 * options, sections, checks, notes, steps and the timeline (one object per second; NaN becomes
 * null).
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
    JsonArray steps = new JsonArray();
    for (Map<String, Object> row : r.steps()) {
      JsonObject so = new JsonObject();
      row.forEach((k, v) -> so.put(k, value(v)));
      steps.add(so);
    }
    o.put("steps", steps);
    JsonArray timeline = new JsonArray();
    for (Sample s : r.timeline()) {
      timeline.add(sample(s));
    }
    o.put("timeline", timeline);
    return o;
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
