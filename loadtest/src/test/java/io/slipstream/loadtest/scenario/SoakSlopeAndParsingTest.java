package io.slipstream.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.slipstream.loadtest.Main;
import io.slipstream.loadtest.cli.UsageException;
import io.slipstream.loadtest.client.Churn;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.proc.ProcStat;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.HtmlReport;
import io.slipstream.loadtest.report.JsonReport;
import io.slipstream.loadtest.report.LeastSquares;
import io.slipstream.loadtest.report.ResourceSample;
import io.slipstream.loadtest.report.RunResult;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pieces {@code soak} measures with: the least-squares slope (and which readings it is fitted
 * to), the Prometheus text parser, jcmd's heap output, the drop mix, the saturation rate, and the
 * per-client verdict.
 */
class SoakSlopeAndParsingTest {

  // ---- least squares ----

  @Test
  void fitsAnExactLine() {
    LeastSquares.Fit f = LeastSquares.fit(new double[] {0, 1, 2, 3}, new double[] {3, 5, 7, 9});
    assertThat(f.slope()).isCloseTo(2, within(1e-12));
    assertThat(f.intercept()).isCloseTo(3, within(1e-12));
    assertThat(f.n()).isEqualTo(4);
    assertThat(f.at(10)).isCloseTo(23, within(1e-9));
  }

  @Test
  void fitsTheBestLineThroughNoise() {
    // y = 2x + (1, -1, -1, 1): noise uncorrelated with x leaves the slope at 2, the mean at 3.
    LeastSquares.Fit f = LeastSquares.fit(new double[] {0, 1, 2, 3}, new double[] {1, 1, 3, 7});
    assertThat(f.slope()).isCloseTo(2, within(1e-12));
    assertThat(f.intercept()).isCloseTo(0, within(1e-12));
    // y = x + (1, -1, 1, -1, 1, -1): Σdx·dy / Σdx² = 14.5 / 17.5.
    LeastSquares.Fit g =
        LeastSquares.fit(new double[] {0, 1, 2, 3, 4, 5}, new double[] {1, 0, 3, 2, 5, 4});
    assertThat(g.slope()).isCloseTo(14.5 / 17.5, within(1e-12));
  }

  @Test
  void leavesOutUnmeasuredPointsAndStaysExactFarFromZero() {
    double[] x = new double[100];
    double[] y = new double[100];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1e9 + i; // a large time base: the sums are centred, so this loses nothing
      y[i] = i % 10 == 3 ? Double.NaN : 0.5 * i - 7;
    }
    LeastSquares.Fit f = LeastSquares.fit(x, y);
    assertThat(f.n()).isEqualTo(90);
    assertThat(f.slope()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void hasNoSlopeWithoutTwoDistinctPoints() {
    assertThat(LeastSquares.fit(new double[] {1}, new double[] {1}).slope()).isNaN();
    assertThat(LeastSquares.fit(new double[] {2, 2, 2}, new double[] {1, 2, 3}).slope()).isNaN();
    assertThat(
            LeastSquares.fit(new double[] {1, 2}, new double[] {Double.NaN, Double.NaN}).slope())
        .isNaN();
    assertThatThrownBy(() -> LeastSquares.fit(new double[2], new double[3]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static ResourceSample reading(double t, String phase, boolean steady, double heapMb) {
    return new ResourceSample(
        t, phase, steady, heapMb, 100, 40, 28, 5, 3, 3, 3, 0, 0, 0, 0, 0);
  }

  @Test
  void heapSlopeIsPerMinuteOverTheSteadyReadingsOnly() {
    List<ResourceSample> series = new ArrayList<>();
    series.add(reading(0, "before", false, 500)); // not steady: must not weigh in
    for (int i = 0; i <= 20; i++) {
      series.add(reading(10 + 30 * i, "soak", true, 40 + 0.5 * i)); // +0.5 MiB every 30 s
    }
    series.add(reading(700, "closed", false, 1));
    assertThat(SoakFigures.heapSlope(series, false)).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void theSecondHalfSlopeLeavesTheFillingUpOut() {
    // Heap grows while the replay log fills (first 5 minutes), then stays flat.
    List<ResourceSample> series = new ArrayList<>();
    for (int s = 0; s <= 600; s += 10) {
      series.add(reading(s, "soak", true, s < 300 ? 20 + s / 10.0 : 50));
    }
    assertThat(SoakFigures.heapSlope(series, false)).isGreaterThan(2);
    assertThat(SoakFigures.heapSlope(series, true)).isCloseTo(0, within(1e-9));
  }

  @Test
  void aHeapSlopeAboveTheLimitFailsItsCheck() {
    List<ResourceSample> series = new ArrayList<>();
    for (int s = 0; s <= 120; s += 10) {
      series.add(reading(s, "soak", true, 30 + s / 30.0)); // 2 MiB/min
    }
    RunResult r = new RunResult("soak", "q", "now", Map.of());
    SoakFigures.checkHeapSlope(r, series, 1.0);
    SoakFigures.checkHeapSlope(r, series, 2.5);
    assertThat(r.checks()).extracting(Check::passed).containsExactly(false, true);
    assertThat(r.checks().get(0).detail()).isEqualTo("+2.000 MiB/min");
  }

  @Test
  void theHeapChartFitsItsLineToTheSteadyReadings() {
    RunResult r = new RunResult("soak", "q", "now", Map.of());
    r.resources(
        List.of(
            reading(0, "before", false, 900),
            reading(10, "soak", true, 10),
            reading(20, "soak", true, 12),
            new ResourceSample(30, "closed", false, Double.NaN, Double.NaN, -1, -1, -1, -1, -1, 0,
                0, 0, 0, 0, 0)));
    String html = HtmlReport.render(r);
    assertThat(html)
        .contains("Server heap after a full GC", "least-squares line (steady readings)")
        .contains("Sessions and connections", "Server file descriptors and threads");
    JsonObject last = JsonReport.render(r).getJsonArray("resources").getJsonObject(3);
    assertThat(last.getValue("heapAfterGcMiB")).isNull();
    assertThat(last.getValue("serverFds")).isNull();
    assertThat(last.getValue("serverSessions")).isNull();
    assertThat(last.getBoolean("steady")).isFalse();
  }

  // ---- Prometheus text ----

  /** An excerpt of what the server's GET /metrics served (Micrometer 1.15, Vert.x meters on). */
  private static final String METRICS =
      "# HELP jvm_gc_live_data_size_bytes Size of long-lived heap memory pool after reclamation\n"
          + "# TYPE jvm_gc_live_data_size_bytes gauge\n"
          + "jvm_gc_live_data_size_bytes 6947704.0\n"
          + "jvm_gc_max_data_size_bytes 2.68435456E8\n"
          + "jvm_gc_pause_seconds_count{action=\"end of minor GC\",cause=\"G1 Evacuation Pause\","
          + "gc=\"G1 Young Generation\"} 2\n"
          + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 2.5165824E7\n"
          + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 4000000.0\n"
          + "jvm_memory_used_bytes{area=\"nonheap\",id=\"CodeHeap 'non-nmethods'\"} 2555904.0\n"
          + "slipstream_connections 18.0\n"
          + "slipstream_connections_closed_total{code=\"1000\"} 70.0\n"
          + "slipstream_connections_closed_total{code=\"4008\"} 0.0\n"
          + "slipstream_sessions 48.0\n";

  @Test
  void readsGaugesAndSumsLabelledSeries() {
    Map<String, Double> m = PrometheusText.samples(METRICS);
    assertThat(PrometheusText.sum(m, "jvm_gc_live_data_size_bytes")).isEqualTo(6947704.0);
    assertThat(PrometheusText.sum(m, "jvm_gc_max_data_size_bytes")).isEqualTo(268435456.0);
    assertThat(PrometheusText.sum(m, "slipstream_sessions")).isEqualTo(48);
    // slipstream_connections must not swallow slipstream_connections_closed_total.
    assertThat(PrometheusText.sum(m, "slipstream_connections")).isEqualTo(18);
    assertThat(PrometheusText.sum(m, "slipstream_connections_closed_total")).isEqualTo(70);
    assertThat(PrometheusText.sum(m, "jvm_memory_used_bytes"))
        .isEqualTo(2.5165824E7 + 4000000.0 + 2555904.0);
    assertThat(PrometheusText.sum(m, "slipstream_topics")).isNaN();
    assertThat(m).containsKey("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"}");
  }

  @Test
  void labelValuesMayHoldBracesQuotesAndSpacesAndSamplesATimestamp() {
    Map<String, Double> m =
        PrometheusText.samples(
            "a{path=\"/x}y\",msg=\"say \\\"hi\\\" {now}\"} 3 1700000000000\n"
                + "\n"
                + "  # indented comment\n"
                + "b +Inf\n"
                + "c NaN\n"
                + "d not-a-number\n"
                + "e{unclosed=\"x} 1\n"
                + "f 1e3\r\n");
    assertThat(m)
        .containsEntry("a{path=\"/x}y\",msg=\"say \\\"hi\\\" {now}\"}", 3.0)
        .containsEntry("b", Double.POSITIVE_INFINITY)
        .containsEntry("f", 1000.0)
        .doesNotContainKeys("d", "e{unclosed=\"x} 1");
    assertThat(m.get("c")).isNaN();
    assertThat(m).hasSize(4);
  }

  // ---- jcmd, drop mix, saturation ----

  @Test
  void readsTheHeapFromOneJcmdRunOfGcRunAndHeapInfo() {
    // What `jcmd PID -f FILE` printed with GC.run and GC.heap_info in FILE (JDK 17, G1).
    String out =
        "7103:\n"
            + "Command executed successfully\n"
            + " garbage-first heap   total 30720K, used 6859K [0x00000000f0000000,"
            + " 0x0000000100000000)\n"
            + "  region size 1024K, 1 young (1024K), 0 survivors (0K)\n"
            + " Metaspace       used 15919K, committed 16320K, reserved 1114112K\n"
            + "  class space    used 1913K, committed 2112K, reserved 1048576K\n";
    assertThat(ProcStat.heapUsed(out)).isEqualTo(6859L * 1024);
  }

  @Test
  void parsesTheDropMixAndPicksKindsByWeight() {
    Churn c = Churn.of(1000, "2:1:1", 0.1);
    assertThat(c.mix()).isEqualTo("2:1:1");
    assertThat(c.pick(0.0)).isEqualTo(Churn.Kind.CLEAN);
    assertThat(c.pick(0.49)).isEqualTo(Churn.Kind.CLEAN);
    assertThat(c.pick(0.5)).isEqualTo(Churn.Kind.RESET);
    assertThat(c.pick(0.74)).isEqualTo(Churn.Kind.RESET);
    assertThat(c.pick(0.75)).isEqualTo(Churn.Kind.VANISH);
    assertThat(c.pick(0.999)).isEqualTo(Churn.Kind.VANISH);
    assertThat(Churn.of(1000, "0:0:3", 0).pick(0.0)).isEqualTo(Churn.Kind.VANISH);
    assertThatThrownBy(() -> Churn.of(1000, "2:1", 0)).hasMessageContaining("CLEAN:RESET:VANISH");
    assertThatThrownBy(() -> Churn.of(1000, "0:0:0", 0)).hasMessageContaining("not all 0");
    assertThatThrownBy(() -> Churn.of(1000, "1:x:1", 0)).hasMessageContaining("'1:x:1'");
    assertThatThrownBy(() -> Churn.of(1000, "1:1:1", 1.5)).hasMessageContaining("freshShare");
  }

  @Test
  void takesTheSaturationRateFromANumberOrASaturateResult(@TempDir Path dir) {
    assertThat(SoakScenario.saturation("2531")).isEqualTo(2531);
    RunResult sat = new RunResult("saturate", "q", "now", Map.of());
    sat.put("run", "at publish rate /s", 1687.5);
    Main.write(sat, dir.resolve("sat"));
    assertThat(SoakScenario.saturation(dir.resolve("sat/result.json").toString()))
        .isEqualTo(1687.5);
    RunResult other = new RunResult("fanout", "q", "now", Map.of());
    Main.write(other, dir.resolve("fan"));
    assertThatThrownBy(() -> SoakScenario.saturation(dir.resolve("fan/result.json").toString()))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("not the result of a saturate run");
    assertThatThrownBy(() -> SoakScenario.saturation("-5")).isInstanceOf(UsageException.class);
    assertThatThrownBy(() -> SoakScenario.saturation(dir.resolve("none.json").toString()))
        .hasMessageContaining("neither a number nor a readable result.json");
  }

  @Test
  void aShareNeedsASaturationAndExcludesRate() {
    assertThat(Main.run(new String[] {"soak", "--share", "0.5", "--quiet"}, quiet(), quiet()))
        .isEqualTo(Main.EXIT_USAGE);
    assertThat(
            Main.run(
                new String[] {"soak", "--share", "0.5", "--saturation", "100", "--rate", "5"},
                quiet(),
                quiet()))
        .isEqualTo(Main.EXIT_USAGE);
    assertThat(Main.run(new String[] {"soak", "--drop-mix", "1:2"}, quiet(), quiet()))
        .isEqualTo(Main.EXIT_USAGE);
  }

  private static java.io.PrintStream quiet() {
    return new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
  }

  // ---- per-client verdict ----

  private static ClientReport client(String id, long last, long gaps, long dups) {
    return new ClientReport(
        id, false, true, true, 100, 0, 0, gaps, dups, 0, 0, 3, 1000, Map.of("t", last), Map.of(),
        null, 0, 0, 0, 0, null, null);
  }

  @Test
  void everyClientIsCountedAndTheOnesThatLostOrDoubledAreNamed() {
    PublishReport p = new PublishReport(10, 100, 100, 0, null, "e", 1, 100, 1, 100, 0, null);
    RunResult r = new RunResult("soak", "q", "now", Map.of());
    SoakFigures.clients(
        r,
        "t",
        List.of(client("a", 100, 0, 0), client("b", 97, 2, 0), client("c", 100, 0, 4)),
        p,
        2,
        10,
        c -> Map.of());
    assertThat(r.get(SoakFigures.CLIENTS, "changes lost (gaps + missing at the end)"))
        .isEqualTo(5L); // b: 2 gaps + 98..100 missing
    assertThat(r.get(SoakFigures.CLIENTS, "changes doubled")).isEqualTo(4L);
    assertThat(r.checks()).extracting(Check::passed).containsExactly(false, false, false);
    assertThat(r.checks().get(0).detail()).isEqualTo("5 lost by 1 clients: b (5)");
    assertThat(r.checks().get(1).detail()).isEqualTo("4 doubled for 1 clients: c (4)");
    List<Map<String, Object>> rows = r.tables().get(SoakFigures.EVERY_CLIENT);
    assertThat(rows).hasSize(3);
    assertThat(rows.get(1)).containsEntry("lost", 5L).containsEntry("missing at the end", 3L);
  }
}
