package io.slipstream.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportsTest {

  private static RunResult result() {
    RunResult r =
        new RunResult("fanout", "What latency?", "2026-01-01T00:00:00Z", Map.of("clients", "20"));
    Histogram h = new Histogram(1, 3_600_000_000L, 3);
    for (int i = 1; i <= 1000; i++) {
      h.recordValue(i * 100L); // 0.1 ms .. 100 ms
    }
    Percentiles.summary(h).forEach((k, v) -> r.put("latency", k, v));
    r.put("run", "deliveries", 12_000L);
    r.check(Check.equal("no gaps", 0, 0));
    List<Sample> samples = new ArrayList<>();
    for (int t = 1; t <= 5; t++) {
      samples.add(
          new Sample(
              t,
              t < 3 ? "connect" : "publish",
              20,
              20,
              t * 200L,
              200,
              t * 4000L,
              4000,
              0,
              0,
              0,
              0,
              0,
              0,
              t < 3 ? 0 : 4000,
              t < 3 ? Double.NaN : 1.5,
              3,
              7.25,
              9,
              12,
              0.5,
              130 + t,
              0.4,
              10L * t,
              t,
              0.1 * t));
    }
    r.timeline(samples);
    r.step(Map.of("step", 1, "p99 ms", 7.25));
    return r;
  }

  @Test
  void percentilesAreInMilliseconds() {
    Histogram h = new Histogram(1, 3_600_000_000L, 3);
    for (int i = 1; i <= 100; i++) {
      h.recordValue(i * 1000L);
    }
    Map<String, Object> m = Percentiles.summary(h);
    assertThat(m.get("count")).isEqualTo(100L);
    assertThat((Double) m.get("p50 ms"))
        .isCloseTo(50.0, org.assertj.core.api.Assertions.within(0.1));
    assertThat((Double) m.get("p99 ms"))
        .isCloseTo(99.0, org.assertj.core.api.Assertions.within(0.1));
    assertThat((Double) m.get("max ms"))
        .isCloseTo(100.0, org.assertj.core.api.Assertions.within(0.1));
    assertThat(Percentiles.summary(new Histogram(3))).containsOnlyKeys("count");
    assertThat(Percentiles.ms(null, 50)).isNaN();
  }

  @Test
  void htmlIsSelfContainedAndCarriesTheSeries() {
    String html = HtmlReport.render(result());
    assertThat(html).startsWith("<!DOCTYPE html>").contains("</html>");
    assertThat(html)
        .doesNotContain("<script")
        .doesNotContain("http://cdn")
        .doesNotContain("https://");
    assertThat(html)
        .contains(
            "published/s",
            "delivered/s",
            "p50",
            "p99",
            "p99.9",
            "server RSS",
            "load tool",
            "pending events (all connections)",
            "highest fill");
    assertThat(html).contains("<polyline").contains("<svg");
    assertThat(html).contains("PASS").contains("no gaps").contains("--clients");
    // phase markers
    assertThat(html).contains(">publish<");
  }

  @Test
  void aSeriesWithoutValuesDrawsNoChart() {
    List<Sample> samples =
        List.of(
            new Sample(
                1,
                "x",
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                -1,
                -1,
                Double.NaN));
    List<SvgChart> charts = HtmlReport.charts(samples);
    assertThat(charts).noneMatch(c -> c.render(100, 100).contains("Server memory"));
  }

  @Test
  void chartsBreakLinesAtMissingValues() {
    SvgChart c =
        new SvgChart("t", "ms", new double[] {1, 2, 3, 4, 5})
            .series("a", new double[] {1, 2, Double.NaN, 4, 5});
    String svg = c.render(400, 200);
    assertThat(svg.split("<polyline", -1)).hasSize(3);
    assertThat(SvgChart.niceCeil(7.3)).isEqualTo(10);
    assertThat(SvgChart.niceCeil(0.21)).isEqualTo(0.25);
  }

  @Test
  void jsonCarriesTimelineAndChecksWithNaNAsNull() {
    JsonObject o = JsonReport.render(result());
    assertThat(o.getString("scenario")).isEqualTo("fanout");
    assertThat(o.getBoolean("passed")).isTrue();
    assertThat(o.getJsonArray("timeline")).hasSize(5);
    assertThat(o.getJsonArray("timeline").getJsonObject(0).getValue("p50Ms")).isNull();
    assertThat(o.getJsonArray("timeline").getJsonObject(4).getDouble("p99Ms")).isEqualTo(7.25);
    assertThat(o.getJsonObject("results").getJsonObject("run").getLong("deliveries"))
        .isEqualTo(12_000L);
    assertThat(o.getJsonArray("checks").getJsonObject(0).getBoolean("passed")).isTrue();
    assertThat(o.getJsonArray("steps")).hasSize(1);
    // round-trips as JSON text
    assertThat(new JsonObject(o.encodePrettily())).isEqualTo(o);
  }

  @Test
  void textTableListsFiguresChecksAndVerdict() {
    String text = TextReport.render(result());
    assertThat(text).contains("deliveries", "12,000", "PASS no gaps", "RESULT: PASS", "step");
    RunResult failing = result().check(Check.equal("no duplicates", 3, 0));
    assertThat(TextReport.render(failing))
        .contains("FAIL no duplicates (expected 0, got 3)", "RESULT: FAIL");
    assertThat(TextReport.format(1.5)).isEqualTo("1.5");
    assertThat(TextReport.format(Double.NaN)).isEqualTo("-");
    assertThat(TextReport.format(1234567L)).isEqualTo("1,234,567");
  }
}
