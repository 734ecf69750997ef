package io.slipstream.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slipstream.core.message.CloseCode;
import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.PublishOutcome;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The node's Micrometer meters, scraped at {@code GET /metrics} in Prometheus text.
 *
 * <p>Thread-safe. Hot paths report once per batch or pump turn, never once per delivery, so the
 * shared counters are touched a few times per event loop turn.
 */
public final class Metrics {

  private final PrometheusMeterRegistry registry;
  private final Counter published;
  private final Counter messagesSent;
  private final Counter changesDelivered;
  private final Counter dropped;
  private final Map<CloseCode, Counter> closes = new EnumMap<>(CloseCode.class);
  private final Map<PublishOutcome.Status, Counter> publishes =
      new EnumMap<>(PublishOutcome.Status.class);
  private final Map<DeleteOutcome.Status, Counter> deletes =
      new EnumMap<>(DeleteOutcome.Status.class);

  public Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    published =
        Counter.builder("slipstream.changes.published")
            .description("Changes sequenced by the topics of this node")
            .register(registry);
    messagesSent =
        Counter.builder("slipstream.messages.sent")
            .description("Messages written to client sockets (changes, snapshot rows, control)")
            .register(registry);
    changesDelivered =
        Counter.builder("slipstream.changes.delivered")
            .description("Live changes written to client sockets")
            .register(registry);
    dropped =
        Counter.builder("slipstream.changes.dropped")
            .description("Live changes dropped by full connection buffers")
            .register(registry);
    for (CloseCode code : CloseCode.values()) {
      closes.put(
          code,
          Counter.builder("slipstream.connections.closed")
              .description("Connections the server closed, by close code")
              .tag("code", Integer.toString(code.code()))
              .register(registry));
    }
    for (PublishOutcome.Status s : PublishOutcome.Status.values()) {
      publishes.put(
          s,
          Counter.builder("slipstream.publishes")
              .description("Publishes answered (HTTP and event bus), by outcome")
              .tag("outcome", s.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    for (DeleteOutcome.Status s : DeleteOutcome.Status.values()) {
      deletes.put(
          s,
          Counter.builder("slipstream.topic.deletes")
              .description("Topic deletes answered, by outcome")
              .tag("outcome", s.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
  }

  /** Registers a gauge read at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void published(int changes) {
    published.increment(changes);
  }

  public void sent(long messages, long changes) {
    if (messages > 0) {
      messagesSent.increment(messages);
    }
    if (changes > 0) {
      changesDelivered.increment(changes);
    }
  }

  public void dropped(long changes) {
    if (changes > 0) {
      dropped.increment(changes);
    }
  }

  public void closed(CloseCode code) {
    closes.get(code).increment();
  }

  /** A publish was answered with {@code status} (refusals included: overload, 507, 409...). */
  public void publishAnswered(PublishOutcome.Status status) {
    publishes.get(status).increment();
  }

  /** A topic delete was answered with {@code status}. */
  public void deleteAnswered(DeleteOutcome.Status status) {
    deletes.get(status).increment();
  }
}
