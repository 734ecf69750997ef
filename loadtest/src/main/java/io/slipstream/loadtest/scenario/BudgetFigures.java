package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.RunResult;
import java.util.Locale;
import java.util.Map;

/**
 * The node's buffer budget as the {@code slow} scenario sees it through {@code /metrics}
 * (docs/protocol.md §6, "The node's budget"): {@code buffer.budgetBytes}, the highest total of all
 * buffers' pending bytes since the node started, and the changes dropped by reason. The check is
 * the docs' promise: the total passes the budget by at most about one batch per connection.
 *
 * <p>The peak is the server's own high-water mark, not a once-a-second sample, so a run must start
 * on a fresh server (what {@code run-compare.sh} does) for it to describe that run alone.
 *
 * <p>Stateless.
 */
final class BudgetFigures {

  static final String SECTION = "server buffer budget (/metrics)";

  /**
   * What a change weighs in a buffer besides its row: the change frame's envelope ({@code type},
   * {@code topic}, {@code seq}, {@code op}, {@code key}) and the entry's own bookkeeping; generous,
   * as the allowance it goes into should be.
   */
  static final long FRAME_OVERHEAD_BYTES = 300;

  private BudgetFigures() {}

  /** One reading of {@code /metrics}; NaN for what it did not have. */
  record Reading(double budget, double peak, double droppedBudget, double droppedBuffer) {

    static Reading of(Map<String, Double> metrics) {
      return new Reading(
          value(metrics, "slipstream_buffer_budget_bytes"),
          value(metrics, "slipstream_buffer_pending_bytes_peak"),
          value(metrics, "slipstream_changes_dropped_total{reason=\"budget\"}"),
          value(metrics, "slipstream_changes_dropped_total{reason=\"buffer\"}"));
    }

    private static double value(Map<String, Double> metrics, String series) {
      if (metrics == null) {
        return Double.NaN;
      }
      // A counter with no increment yet may be absent: zero, not unknown.
      return metrics.getOrDefault(series, series.contains("_total") ? 0.0 : Double.NaN);
    }
  }

  /**
   * What the total may pass the budget by: one batch per connection, a batch being the most
   * changes one publish request carried on average (rounded up), each its row plus {@link
   * #FRAME_OVERHEAD_BYTES}.
   */
  static long allowanceBytes(int connections, PublishReport p, int rowBytes) {
    long perBatch =
        p.requests() == 0 ? 1 : Math.max(1, (p.accepted() + p.requests() - 1) / p.requests());
    return connections * perBatch * (rowBytes + FRAME_OVERHEAD_BYTES);
  }

  /**
   * Puts the figures and, when the server has a budget gauge, the check "peak within budget plus
   * allowance".
   */
  static void report(RunResult r, Reading before, Reading after, long allowance) {
    if (Double.isNaN(after.budget()) || Double.isNaN(after.peak())) {
      r.note("/metrics had no buffer budget gauges: the budget was not checked");
      return;
    }
    r.put(SECTION, "buffer.budgetBytes", (long) after.budget());
    r.put(SECTION, "peak pending bytes of all buffers", (long) after.peak());
    r.put(SECTION, "peak / budget", round(after.peak() / after.budget()));
    r.put(SECTION, "allowance (one batch per connection) bytes", allowance);
    r.put(SECTION, "dropped, reason budget", (long) (after.droppedBudget() - before.droppedBudget()));
    r.put(SECTION, "dropped, reason buffer", (long) (after.droppedBuffer() - before.droppedBuffer()));
    r.check(
        Check.of(
            "buffers' bytes within buffer.budgetBytes plus one batch per connection",
            after.peak() <= after.budget() + allowance,
            String.format(
                Locale.ROOT,
                "peak %,.0f B, budget %,.0f B + allowance %,d B",
                after.peak(),
                after.budget(),
                allowance)));
  }

  /**
   * The check "fast clients' p99 within {@code ratio} × the baseline's", when a baseline was given
   * ({@code baselineP99Ms} > 0).
   */
  static void baseline(RunResult r, double p99Ms, double baselineP99Ms, double ratio) {
    if (baselineP99Ms <= 0) {
      return;
    }
    r.put(SECTION, "fast p99 / baseline p99", round(p99Ms / baselineP99Ms));
    r.check(
        Check.of(
            "fast clients' p99 within --max-p99-ratio of --baseline-p99-ms",
            p99Ms <= ratio * baselineP99Ms,
            String.format(
                Locale.ROOT,
                "p99 %.2f ms, baseline %.2f ms, limit %.2f×",
                p99Ms,
                baselineP99Ms,
                ratio)));
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
