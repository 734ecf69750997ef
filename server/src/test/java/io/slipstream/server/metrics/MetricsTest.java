package io.slipstream.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The publish-to-socket histogram is sampled, not fed by every write-pump turn: the first turn of
 * each wall millisecond on each thread records, the others of that millisecond do not.
 */
class MetricsTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Metrics metrics = new Metrics(registry);

  private Timer publishToSocket() {
    return registry.get("slipstream.publish.to.socket").timer();
  }

  @Test
  void theFirstTurnOfEachMillisecondOnAThreadRecords() throws Exception {
    metrics.publishToSocket(1_000, 990);
    metrics.publishToSocket(1_000, 900);
    metrics.publishToSocket(1_000, 0);
    assertThat(publishToSocket().count()).as("one sample in millisecond 1,000").isEqualTo(1);
    assertThat(publishToSocket().max(TimeUnit.MILLISECONDS)).isEqualTo(10);

    metrics.publishToSocket(1_001, 995);
    assertThat(publishToSocket().count()).as("the next millisecond samples again").isEqualTo(2);
    assertThat(publishToSocket().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(16);

    Thread other = new Thread(() -> metrics.publishToSocket(1_001, 1_000));
    other.start();
    other.join();
    assertThat(publishToSocket().count()).as("another thread has its own millisecond").isEqualTo(3);
  }

  @Test
  void aPublishTimeAfterTheTurnCountsAsZero() {
    // Wall clocks of two nodes: the publishing one may be ahead.
    metrics.publishToSocket(1_000, 1_005);
    assertThat(publishToSocket().count()).isEqualTo(1);
    assertThat(publishToSocket().totalTime(TimeUnit.MILLISECONDS)).isZero();
  }
}
