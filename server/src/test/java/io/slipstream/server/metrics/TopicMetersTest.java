package io.slipstream.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-topic meters only for the {@code metrics.topics} allow-list, and at most {@link
 * TopicMeters#MAX_TOPICS} topics of it: label cardinality stays bounded whatever is published.
 */
class TopicMetersTest {

  @Test
  void patternsMatchWithStarAsAnyRun() {
    assertThat(TopicMeters.matches("orders.*", 0, "orders.eu", 0)).isTrue();
    assertThat(TopicMeters.matches("orders.*", 0, "orders.", 0)).isTrue();
    assertThat(TopicMeters.matches("orders.*", 0, "order", 0)).isFalse();
    assertThat(TopicMeters.matches("*-prices", 0, "fx-prices", 0)).isTrue();
    assertThat(TopicMeters.matches("a*b*c", 0, "axxbyyc", 0)).isTrue();
    assertThat(TopicMeters.matches("a*b*c", 0, "axxbyy", 0)).isFalse();
    assertThat(TopicMeters.matches("ticks", 0, "ticks", 0)).isTrue();
    assertThat(TopicMeters.matches("ticks", 0, "ticks2", 0)).isFalse();
  }

  @Test
  void onlyAllowListedTopicsGetACounterAndAtMostMaxTopics() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TopicMeters meters = new TopicMeters(registry, List.of("t*"));
    meters.published("other", 3);
    for (int i = 0; i < TopicMeters.MAX_TOPICS + 50; i++) {
      meters.published("t" + i, 2);
    }
    meters.published("t0", 5);
    List<Counter> counters =
        List.copyOf(registry.find("slipstream.topic.changes.published").counters());
    assertThat(counters).hasSize(TopicMeters.MAX_TOPICS);
    assertThat(registry.find("slipstream.topic.changes.published").tag("topic", "other").counter())
        .isNull();
    assertThat(
            registry
                .find("slipstream.topic.changes.published")
                .tag("topic", "t0")
                .counter()
                .count())
        .isEqualTo(7);
  }

  @Test
  void noPatternsNoCounters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new TopicMeters(registry, List.of()).published("t", 1);
    assertThat(registry.getMeters()).isEmpty();
  }
}
