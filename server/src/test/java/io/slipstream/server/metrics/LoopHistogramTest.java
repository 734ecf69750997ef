package io.slipstream.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * {@link LoopHistogram}: what each thread records is summed at scrape and exposed as the Prometheus
 * histogram Micrometer's timer exposed ({@code _bucket} cumulative with {@code le} in seconds,
 * {@code _count}, {@code _sum}), so that dashboards and alerts read it unchanged.
 */
class LoopHistogramTest {

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10)
  };

  private static List<String> lines(PrometheusMeterRegistry registry) {
    List<String> out = new ArrayList<>();
    for (String l : registry.scrape().split("\n")) {
      if (l.startsWith("test_latency_seconds")) {
        out.add(l);
      }
    }
    return out;
  }

  @Test
  void theScrapeSumsEveryThreadsPartIntoCumulativeBuckets() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LoopHistogram h = new LoopHistogram("test_latency_seconds", "a test", BUCKETS);
    registry.getPrometheusRegistry().register(h);
    h.record(0);
    h.record(1); // on a bound: that bucket
    h.record(-3); // a clock step back counts as 0
    CountDownLatch done = new CountDownLatch(2);
    for (long v : new long[] {5, 60_000}) {
      Thread t =
          new Thread(
              () -> {
                h.record(v);
                h.record(2);
                done.countDown();
              });
      t.start();
    }
    done.await();
    assertThat(h.count()).isEqualTo(7);
    assertThat(lines(registry))
        .contains(
            "test_latency_seconds_bucket{le=\"0.001\"} 3",
            "test_latency_seconds_bucket{le=\"0.005\"} 6",
            "test_latency_seconds_bucket{le=\"0.01\"} 6",
            "test_latency_seconds_bucket{le=\"+Inf\"} 7",
            "test_latency_seconds_count 7",
            "test_latency_seconds_sum 60.01");
  }

  @Test
  void bucketsMustIncrease() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new LoopHistogram(
                    "x_seconds", "x", new Duration[] {Duration.ofMillis(5), Duration.ofMillis(5)}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
