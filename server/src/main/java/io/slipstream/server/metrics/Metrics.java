package io.slipstream.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slipstream.core.message.CloseCode;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.PublishOutcome;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's Micrometer meters, scraped at {@code GET /metrics} in Prometheus text.
 *
 * <p>Thread-safe. Hot paths report once per batch or pump turn, never once per delivery, so the
 * shared counters are touched a few times per event loop turn.
 */
public final class Metrics {

  /** The {@code quality} label values, in the order {@link #qualityCounts} indexes them. */
  public static final String[] QUALITIES = {"healthy", "lagging", "warned", "dropping", "slow"};

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
  /** What write-pump turns and flushes count, per thread (the hot path's counters). */
  private final LoopCounters loops = new LoopCounters();
  private final Map<DropReason, Counter> dropped;
  private final Counter conflated;
  private final Counter warnings;
  private final Map<ResumeOutcome, Counter> resumes;
  private final Counter subscribedSnapshot;
  private final Counter subscribedReplay;
  private final Counter snapshotRows;
  /** Recorded once per write-pump turn: per thread, summed at scrape. */
  private final LoopHistogram publishToSocket;
  private final TopicMeters topics;

  /** Open connections: [transport websocket, sockjs][state connecting, active]. */
  private final AtomicInteger[][] open = new AtomicInteger[2][2];

  /** Connections by quality at each event loop's last tick, summed over the loops. */
  private final AtomicInteger[] byQuality = new AtomicInteger[QUALITIES.length];

  private final Map<CloseCode, Counter> closes;
  private final Map<PublishOutcome.Status, Counter> publishes;
  private final Map<DeleteOutcome.Status, Counter> deletes;
  private final DistributionSummary bufferFill;
  private final Timer ackLag;
  private final Timer eventLoopDelay;

  /** A node's meters, with no per-topic meters. */
  public Metrics(PrometheusMeterRegistry registry) {
    this(registry, List.of());
  }

  /**
   * A node's meters.
   *
   * @param topicPatterns the topics that get per-topic meters ({@code metrics.topics})
   */
  public Metrics(PrometheusMeterRegistry registry, List<String> topicPatterns) {
    this.registry = registry;
    published =
        Counter.builder("slipstream.changes.published")
            .description("Changes sequenced by the topics of this node")
            .register(registry);
    FunctionCounter.builder("slipstream.messages.sent", loops, LoopCounters::messages)
        .description("Messages written to client sockets (changes, snapshot rows, control)")
        .register(registry);
    FunctionCounter.builder("slipstream.ws.bytes.written", loops, LoopCounters::wsBytes)
        .description(
            "Bytes of WebSocket frames (headers and payloads, compressed or not) written to /ws"
                + " sockets, pings and close frames aside")
        .register(registry);
    FunctionCounter.builder("slipstream.changes.delivered", loops, LoopCounters::changes)
        .description("Live changes written to client sockets")
        .register(registry);
    dropped =
        perValue(
            DropReason.class,
            "slipstream.changes.dropped",
            "Live changes dropped from connection buffers, by reason",
            "reason",
            DropReason::wireName);
    conflated =
        Counter.builder("slipstream.changes.conflated")
            .description("Live changes a conflating buffer replaced by a newer one of their key")
            .register(registry);
    warnings =
        Counter.builder("slipstream.warnings")
            .description("warning messages sent to clients (one per upward crossing of warn)")
            .register(registry);
    resumes =
        perValue(
            ResumeOutcome.class,
            "slipstream.resumes",
            "Resumes: sessions resumed, expired or refused; restored topics replayed or reset",
            "outcome",
            Metrics::lowerCase);
    subscribedSnapshot = subscriptions("snapshot");
    subscribedReplay = subscriptions("replay");
    snapshotRows =
        Counter.builder("slipstream.snapshot.rows")
            .description("Snapshot rows streamed to clients")
            .register(registry);
    publishToSocket =
        new LoopHistogram(
            "slipstream_publish_to_socket_seconds",
            "Time from a change's publish to its write to a client socket, sampled once per"
                + " write-pump turn",
            LATENCY_BUCKETS);
    registry.getPrometheusRegistry().register(publishToSocket);
    topics = new TopicMeters(registry, topicPatterns);
    String[] transports = {"websocket", "sockjs"};
    String[] states = {"connecting", "active"};
    for (int t = 0; t < 2; t++) {
      for (int s = 0; s < 2; s++) {
        AtomicInteger n = new AtomicInteger();
        open[t][s] = n;
        Gauge.builder("slipstream.connections.open", n, AtomicInteger::get)
            .description("Open client connections, by transport and state")
            .tag("transport", transports[t])
            .tag("state", states[s])
            .register(registry);
      }
    }
    for (int q = 0; q < QUALITIES.length; q++) {
      AtomicInteger n = new AtomicInteger();
      byQuality[q] = n;
      Gauge.builder("slipstream.connections.quality", n, AtomicInteger::get)
          .description("Open client connections by quality, as of each event loop's last tick")
          .tag("quality", QUALITIES[q])
          .register(registry);
    }
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

  private Counter subscriptions(String mode) {
    return Counter.builder("slipstream.subscriptions")
        .description("Subscriptions begun, by how they catch up (snapshot or replay)")
        .tag("mode", mode)
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
    FunctionCounter.builder(name, value, v -> v.get().doubleValue())
        .description(description)
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void published(int changes) {
    published.increment(changes);
  }

  /**
   * A batch of {@code changes} sequenced on {@code topic}: node-wide and, if allow-listed, per
   * topic.
   */
  public void published(String topic, int changes) {
    published.increment(changes);
    topics.published(topic, changes);
  }

  /** {@code messages} written by a write-pump turn, {@code changes} of them live changes. */
  public void sent(long messages, long changes) {
    if (messages > 0) {
      loops.mine().sent(messages, changes);
    }
  }

  /** {@code bytes} of frames a /ws socket's write-pump turn wrote: one call per flush. */
  public void wsBytesWritten(long bytes) {
    if (bytes > 0) {
      loops.mine().wsBytes(bytes);
    }
  }

  public void dropped(long changes) {
    dropped(DropReason.BUFFER_FULL, changes);
  }

  /** {@code changes} dropped from buffers for {@code reason}. */
  public void dropped(DropReason reason, long changes) {
    if (changes > 0) {
      dropped.get(reason).increment(changes);
    }
  }

  /** {@code changes} conflated away (replaced by a newer change of their key). */
  public void conflated(long changes) {
    if (changes > 0) {
      conflated.increment(changes);
    }
  }

  /** A {@code warning} was sent. */
  public void warning() {
    warnings.increment();
  }

  /** A resume (of a session, or of one restored topic) ended with {@code outcome}. */
  public void resume(ResumeOutcome outcome) {
    resumes.get(outcome).increment();
  }

  /** A subscription began catching up by replay ({@code true}) or by snapshot. */
  public void subscribed(boolean replay) {
    (replay ? subscribedReplay : subscribedSnapshot).increment();
  }

  /** {@code rows} snapshot rows were streamed. */
  public void snapshotRows(long rows) {
    if (rows > 0) {
      snapshotRows.increment(rows);
    }
  }

  /** One sampled change's time from publish to socket, ms. */
  public void publishToSocket(long ms) {
    publishToSocket.record(ms);
  }

  /** A connection opened on {@code transport} ({@code websocket} or {@code sockjs}). */
  public void connectionOpened(String transport) {
    open[transport(transport)][0].incrementAndGet();
  }

  /** A connection's hello was answered: it is active. */
  public void connectionActive(String transport) {
    open[transport(transport)][0].decrementAndGet();
    open[transport(transport)][1].incrementAndGet();
  }

  /** A connection ended, active or still connecting. */
  public void connectionClosed(String transport, boolean wasActive) {
    open[transport(transport)][wasActive ? 1 : 0].decrementAndGet();
  }

  /** Active connections on this node: sessions attached here. */
  public int activeConnections() {
    return open[0][1].get() + open[1][1].get();
  }

  private static int transport(String kind) {
    return "sockjs".equals(kind) ? 1 : 0;
  }

  /**
   * One event loop's count of connections of each quality changed by {@code delta} (indexed as
   * {@link #QUALITIES}); a loop adds its new counts and takes back its previous ones.
   */
  public void qualityCounts(int[] delta) {
    for (int q = 0; q < delta.length; q++) {
      if (delta[q] != 0) {
        byQuality[q].addAndGet(delta[q]);
      }
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
