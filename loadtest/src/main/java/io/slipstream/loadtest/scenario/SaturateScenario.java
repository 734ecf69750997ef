package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.publish.ChangeBodies;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.RunResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code saturate}: the fan-out topology with the rate stepped up until the server stops keeping
 * up.
 *
 * <p>Topology: N live subscribers of one topic; the tool publishes at R for {@code --step-seconds},
 * waits up to {@code --settle} for the step's last change to reach everyone, then multiplies R by
 * {@code --step-factor}. A step is sustained when at least {@code --min-delivery} of the step's N ×
 * published deliveries arrived, the step's p99 latency is at most {@code --max-p99-ms} and the
 * server accepted at least 95% of the rate asked. The run stops at the first step that is not
 * sustained, at {@code --max-rate}, after {@code --max-steps} or {@code --duration} seconds.
 * Question: what is the highest delivery rate this server sustains for this fan-out?
 *
 * <p>Stateless; runs on the main thread.
 */
public final class SaturateScenario implements Scenario {

  @Override
  public String name() {
    return "saturate";
  }

  @Override
  public String question() {
    return "What is the highest deliveries/s the server sustains (>= 99% delivered, p99 <= 100 ms) "
        + "for N subscribers of one topic?";
  }

  @Override
  public String topology() {
    return "fanout with --rate multiplied by --step-factor every --step-seconds until delivery"
        + " falls below --min-delivery or p99 exceeds --max-p99-ms; reports the highest"
        + " sustained step";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        Scenarios.defaultOf("duration", "300"),
        Scenarios.defaultOf("warmup", "5"),
        OptionSpec.value("step-seconds", "SECONDS", "5", "length of each step"),
        OptionSpec.value("step-factor", "F", "1.5", "rate multiplier from one step to the next"),
        OptionSpec.value("max-rate", "R", "2000000", "highest rate tried"),
        OptionSpec.value("max-steps", "N", "20", "most steps"),
        OptionSpec.value("settle", "SECONDS", "3", "wait after a step for its last change"),
        OptionSpec.value(
            "min-delivery", "RATIO", "0.99", "share of deliveries a sustained step needs"),
        OptionSpec.value("max-p99-ms", "MS", "100", "largest p99 latency of a sustained step"),
        OptionSpec.value(
            "step-retries",
            "N",
            "1",
            "times a failed step is repeated before the run stops (a noisy neighbour is not"
                + " saturation)"));
  }

  @Override
  public RunResult run(Harness h) {
    Options o = h.options();
    int n = o.integer("clients", 1);
    double rate = o.decimal("rate", 0.001, 1e9);
    double factor = o.decimal("step-factor", 1.01, 100);
    double maxRate = o.decimal("max-rate", 1, 1e9);
    int maxSteps = o.integer("max-steps", 1);
    long stepMs = (long) (o.decimal("step-seconds", 0.5, 3600) * 1000);
    long settleMs = (long) (o.decimal("settle", 0, 600) * 1000);
    long budgetMs = (long) (o.decimal("duration", 1, 86_400) * 1000);
    double minDelivery = o.decimal("min-delivery", 0, 1);
    double maxP99 = o.decimal("max-p99-ms", 0.001, 1e6);
    int size = o.integer("size", 0);
    RunResult r = Runs.newResult(this, h);

    h.connect(n, h.plan(), false, "sub");
    if (!Runs.awaitAllLive(h, r, n)) {
      return Runs.finish(r, h);
    }
    ChangeBodies bodies = Runs.updates(o, size);
    long warmupMs = (long) (o.decimal("warmup", 0, 3600) * 1000);
    if (warmupMs > 0) {
      // JIT and connection warm-up at the first rate, on both sides; not a step.
      h.sampler().phase("warmup");
      PublishReport w = h.publish(rate, warmupMs, Long.MAX_VALUE, bodies);
      h.awaitReached(w.lastSeq(), n, false, settleMs);
    }
    long began = System.nanoTime();
    Map<String, Object> best = null;
    String stop = "reached --max-steps";
    Sampler.Mark runStart = h.sampler().mark();
    h.sampler().measureLatencyFrom(0);
    int retriesLeft = o.integer("step-retries", 0);
    for (int step = 1; step <= maxSteps; step++) {
      if (rate > maxRate) {
        stop = "reached --max-rate";
        break;
      }
      if ((System.nanoTime() - began) / 1_000_000L + stepMs > budgetMs) {
        stop = "reached --duration";
        break;
      }
      h.sampler().phase(String.format(Locale.ROOT, "R=%.0f", rate));
      long dropped0 = h.tally().droppedByServer.sum();
      Sampler.Mark a = h.sampler().mark();
      PublishReport p = h.publish(rate, stepMs, Long.MAX_VALUE, bodies);
      h.awaitReached(p.lastSeq(), n, false, settleMs);
      Sampler.Mark b = h.sampler().mark();
      Histogram lat = h.sampler().phaseLatency();
      long delivered = b.delivered() - a.delivered();
      long expected = (long) n * p.accepted();
      double ratio = expected == 0 ? 0 : delivered / (double) expected;
      double p99 = Percentiles.ms(lat, 99);
      boolean rateOk = p.achievedRate() >= 0.95 * rate;
      boolean sustained = ratio >= minDelivery && p99 <= maxP99 && rateOk;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("step", step);
      row.put("rate asked /s", Percentiles.round(rate));
      row.put("published /s", Percentiles.round(p.achievedRate()));
      row.put("deliveries /s", Percentiles.round(delivered / p.seconds()));
      row.put("delivered %", Percentiles.round(ratio * 100));
      row.put("p50 ms", Percentiles.round(Percentiles.ms(lat, 50)));
      row.put("p99 ms", Percentiles.round(p99));
      row.put("max ms", lat.getTotalCount() == 0 ? Double.NaN : lat.getMaxValue() / 1000.0);
      row.put("dropped", h.tally().droppedByServer.sum() - dropped0);
      double secs = (b.nanoTime() - a.nanoTime()) / 1e9;
      row.put("server cores", Percentiles.round((b.serverCpu() - a.serverCpu()) / secs));
      row.put(
          "server CPU s /1M",
          delivered == 0
              ? Double.NaN
              : Percentiles.round((b.serverCpu() - a.serverCpu()) / (delivered / 1e6)));
      row.put("tool cores", Percentiles.round((b.toolCpu() - a.toolCpu()) / secs));
      row.put("sustained", sustained);
      r.step(row);
      h.log(
          String.format(
              Locale.ROOT,
              "step %d: rate %.0f/s -> %.0f deliveries/s, %.2f%% delivered, p99 %.2f ms%s",
              step,
              rate,
              delivered / p.seconds(),
              ratio * 100,
              p99,
              sustained ? "" : " (not sustained)"));
      if (!sustained && retriesLeft > 0) {
        retriesLeft--;
        h.log("repeating the step once more before concluding");
        continue;
      }
      if (!sustained) {
        stop =
            !rateOk
                ? String.format(
                    Locale.ROOT,
                    "the server accepted only %.0f of %.0f changes/s",
                    p.achievedRate(),
                    rate)
                : ratio < minDelivery
                    ? String.format(Locale.ROOT, "only %.2f%% delivered", ratio * 100)
                    : String.format(Locale.ROOT, "p99 %.1f ms over %.0f ms", p99, maxP99);
        break;
      }
      best = row;
      rate *= factor;
      retriesLeft = o.integer("step-retries", 0);
    }
    Sampler.Mark runEnd = h.sampler().mark();
    h.sampler().pauseTotal();
    r.put(Figures.RUN, "subscribers", n);
    r.put(Figures.RUN, "row bytes", size);
    r.put(Figures.RUN, "stopped because", stop);
    if (best != null) {
      r.put(Figures.RUN, "highest sustained deliveries /s", best.get("deliveries /s"));
      r.put(Figures.RUN, "at publish rate /s", best.get("published /s"));
      r.put(Figures.RUN, "its p99 ms", best.get("p99 ms"));
    }
    r.check(
        Check.of(
            "the first step was sustained",
            best != null,
            best != null
                ? "highest sustained: " + best.get("deliveries /s") + " deliveries/s"
                : "lower --rate: even the first step was not sustained"));
    Figures.latency(r, h.sampler().totalLatency());
    Figures.correctness(r, h.tally());
    Figures.cost(r, h, runStart, runEnd);
    Figures.connections(r, h.tally());
    return Runs.finish(r, h);
  }
}
