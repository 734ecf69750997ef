package io.slipstream.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.RunResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the {@code slow} scenario concludes about the node's buffer budget from two readings of
 * {@code /metrics}: the peak against budget plus one batch per connection, drops by reason as the
 * run's deltas, and the fast p99 against a baseline.
 */
class BudgetFiguresTest {

  private static final String BEFORE =
      "slipstream_buffer_budget_bytes 1000000.0\n"
          + "slipstream_buffer_pending_bytes_peak 0.0\n"
          + "slipstream_changes_dropped_total{reason=\"buffer\"} 5.0\n";

  private static BudgetFigures.Reading after(long peak) {
    return BudgetFigures.Reading.of(
        PrometheusText.samples(
            "# HELP slipstream_buffer_budget_bytes x\n"
                + "slipstream_buffer_budget_bytes 1000000.0\n"
                + "slipstream_buffer_pending_bytes_peak "
                + peak
                + ".0\n"
                + "slipstream_changes_dropped_total{reason=\"budget\"} 40.0\n"
                + "slipstream_changes_dropped_total{reason=\"buffer\"} 7.0\n"));
  }

  /** 100 requests carrying 250 changes: batches of 3 (rounded up). */
  private static final PublishReport PUBLISHED =
      new PublishReport(100, 250, 250, 0, null, "e", 1, 250, 1, 100, 0, null);

  @Test
  void theAllowanceIsOneBatchPerConnection() {
    assertThat(BudgetFigures.allowanceBytes(10, PUBLISHED, 200))
        .isEqualTo(10 * 3 * (200 + BudgetFigures.FRAME_OVERHEAD_BYTES));
  }

  @Test
  void aPeakWithinBudgetPlusAllowancePassesAndDropsAreTheRunsDeltas() {
    RunResult r = new RunResult("slow", "q", "now", Map.of());
    BudgetFigures.report(
        r, BudgetFigures.Reading.of(PrometheusText.samples(BEFORE)), after(1_004_000), 5_000);
    assertThat(r.checks()).extracting(Check::passed).containsExactly(true);
    assertThat(r.get(BudgetFigures.SECTION, "dropped, reason budget"))
        .as("a counter absent before the run counts from zero")
        .isEqualTo(40L);
    assertThat(r.get(BudgetFigures.SECTION, "dropped, reason buffer")).isEqualTo(2L);
  }

  @Test
  void aPeakPastTheAllowanceFails() {
    RunResult r = new RunResult("slow", "q", "now", Map.of());
    BudgetFigures.report(
        r, BudgetFigures.Reading.of(PrometheusText.samples(BEFORE)), after(1_005_001), 5_000);
    assertThat(r.checks()).extracting(Check::passed).containsExactly(false);
  }

  @Test
  void withoutTheGaugesNothingIsChecked() {
    RunResult r = new RunResult("slow", "q", "now", Map.of());
    BudgetFigures.Reading none = BudgetFigures.Reading.of(null);
    BudgetFigures.report(r, none, none, 5_000);
    assertThat(r.checks()).isEmpty();
  }

  @Test
  void theFastP99IsHeldToTheBaselineOnlyWhenOneIsGiven() {
    RunResult r = new RunResult("slow", "q", "now", Map.of());
    BudgetFigures.baseline(r, 12, 0, 1.2);
    assertThat(r.checks()).isEmpty();
    BudgetFigures.baseline(r, 12, 10, 1.2);
    BudgetFigures.baseline(r, 12.1, 10, 1.2);
    assertThat(r.checks()).extracting(Check::passed).containsExactly(true, false);
  }
}
