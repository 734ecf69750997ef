package io.slipstream.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-topic meters, only for topics whose name matches one of an operator's allow-list of patterns
 * ({@code metrics.topics}, {@code *} a wildcard), so that label cardinality stays bounded: at most
 * {@link #MAX_TOPICS} topic label values, the first ones published; beyond, topics share the
 * node-wide meters only.
 *
 * <p>Thread-safe. Matching a name allocates nothing; a topic's counter is made once.
 */
final class TopicMeters {

  /** Most topics given their own label values, whatever the patterns match. */
  static final int MAX_TOPICS = 100;

  private final MeterRegistry registry;
  private final List<String> patterns;
  private final ConcurrentHashMap<String, Counter> published = new ConcurrentHashMap<>();

  TopicMeters(MeterRegistry registry, List<String> patterns) {
    this.registry = registry;
    this.patterns = List.copyOf(patterns);
  }

  /** Counts {@code changes} sequenced on {@code topic} if the allow-list names it. */
  void published(String topic, int changes) {
    if (patterns.isEmpty()) {
      return;
    }
    Counter c = published.get(topic);
    if (c == null) {
      if (!allowed(topic) || published.size() >= MAX_TOPICS) {
        return;
      }
      c =
          published.computeIfAbsent(
              topic,
              t ->
                  Counter.builder("slipstream.topic.changes.published")
                      .description(
                          "Changes sequenced on an allow-listed topic (metrics.topics), by topic")
                      .tag("topic", t)
                      .register(registry));
    }
    c.increment(changes);
  }

  private boolean allowed(String topic) {
    for (int i = 0; i < patterns.size(); i++) {
      if (matches(patterns.get(i), 0, topic, 0)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code name} from {@code n} matches {@code pattern} from {@code p}; {@code *} is any
   * run.
   */
  static boolean matches(String pattern, int p, String name, int n) {
    while (p < pattern.length()) {
      char c = pattern.charAt(p);
      if (c == '*') {
        for (int k = n; k <= name.length(); k++) {
          if (matches(pattern, p + 1, name, k)) {
            return true;
          }
        }
        return false;
      }
      if (n >= name.length() || name.charAt(n) != c) {
        return false;
      }
      p++;
      n++;
    }
    return n == name.length();
  }
}
