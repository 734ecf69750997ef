package io.slipstream.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slipstream.core.message.CloseCode;
import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's Micrometer meters, scraped at {@code GET /metrics} in Prometheus text.
 *
 * <p>Thread-safe. Hot paths report once per batch or pump turn, never once per delivery, so the
 * shared counters are touched a few times per event loop turn.
 */
public final class Metrics {

  /** Buckets of the fill histogram: around buffer.warn and buffer.disconnect's defaults. */
  private static final double[] FILL_BUCKETS = {0.1, 0.25, 0.5, 0.8, 0.95, 1.0};

  /** Buckets of every latency histogram: a bounded set, 1 ms to 30 s. */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  private final PrometheusMeterRegistry registry;
  private final Counter published;
  private final Counter messagesSent;
  private final Counter changesDelivered;
  private final Counter dropped;
  private final Map<CloseCode, Counter> closes;
  private final Map<PublishOutcome.Status, Counter> publishes;
  private final Map<DeleteOutcome.Status, Counter> deletes;
  private final DistributionSummary bufferFill;
  private final Timer ackLag;
  private final Timer eventLoopDelay;

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
    closes =
        perValue(
            CloseCode.class,
            "slipstream.connections.closed",
            "Connections the server closed, by close code",
            "code",
            c -> Integer.toString(c.code()));
    publishes =
        perValue(
            PublishOutcome.Status.class,
            "slipstream.publishes",
            "Publishes answered (HTTP and event bus), by outcome",
            "outcome",
            Metrics::lowerCase);
    deletes =
        perValue(
            DeleteOutcome.Status.class,
            "slipstream.topic.deletes",
            "Topic deletes answered, by outcome",
            "outcome",
            Metrics::lowerCase);
    bufferFill =
        DistributionSummary.builder("slipstream.connection.buffer.fill.ratio")
            .description(
                "Connection buffer fills (0..1), one observation per connection per quality tick")
            .serviceLevelObjectives(FILL_BUCKETS)
            .register(registry);
    ackLag =
        Timer.builder("slipstream.ack.lag")
            .description("Time from a change's publish to the client's ack of it")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    eventLoopDelay =
        Timer.builder("slipstream.eventloop.delay")
            .description("How late an event loop ran its quality tick: the loop's backlog")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
  }

  /** One counter per constant of {@code type}, told apart by {@code tag}. */
  private <E extends Enum<E>> Map<E, Counter> perValue(
      Class<E> type, String name, String description, String tag, Function<E, String> value) {
    Map<E, Counter> counters = new EnumMap<>(type);
    for (E e : type.getEnumConstants()) {
      counters.put(
          e,
          Counter.builder(name)
              .description(description)
              .tag(tag, value.apply(e))
              .register(registry));
    }
    return counters;
  }

  private static String lowerCase(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** Registers a gauge read at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /**
   * A counter read from {@code value}, which only grows (Prometheus {@code _total}): for counts
   * kept elsewhere, such as the cluster feed's.
   */
  public void counter(String name, String description, Supplier<Number> value) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, value, v -> v.get().doubleValue())
        .description(description)
        .register(registry);
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

  /** One connection's fill, at a quality tick. */
  public void bufferFill(double fill) {
    bufferFill.record(fill);
  }

  /** One ack's lag, ms: from the change's publish to the client's ack. */
  public void ackLag(long ms) {
    ackLag.record(Math.max(0, ms), TimeUnit.MILLISECONDS);
  }

  /** How late an event loop ran its tick, ms. */
  public void eventLoopDelay(long ms) {
    eventLoopDelay.record(ms, TimeUnit.MILLISECONDS);
  }

  /** A topic delete was answered with {@code status}. */
  public void deleteAnswered(DeleteOutcome.Status status) {
    deletes.get(status).increment();
  }
}
