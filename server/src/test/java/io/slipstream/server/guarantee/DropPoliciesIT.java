package io.slipstream.server.guarantee;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.buffer.TopicPriorities;
import io.slipstream.core.time.Clock;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The drop policies that drop from anywhere in the stream, over a real WebSocket with a client that
 * stops reading (contract §4 {@code dropped}/{@code conflated}, §5, §9 guarantees 1 and 6): what
 * the client reads once it resumes accounts for every published seq exactly once, in order, with
 * the markers and reasons of its policy; under {@code conflate} the client ends with exactly the
 * published rows; no drop happens before the buffer is full, except by age under {@code by-age}.
 *
 * <p>The client is paused, so the socket's kernel buffers fill first; the test publishes until the
 * server's buffer holds events ({@code /api/connections} {@code pending}), then enough to fill it
 * several times. {@code sustainMs} is out of reach, so no connection is closed 4001.
 */
class DropPoliciesIT {

  private static final int MAX = 200;
  private static final int BATCH = 20;
  private static final String PADDING = "x".repeat(2000);

  private TestServer server;
  private Vertx clients;
  private final AtomicLong now = new AtomicLong(1_000_000);
  private DropPolicy policy;

  private void start(DropPolicy policy, long maxAgeMs, TopicPriorities priorities, Clock clock) {
    this.policy = policy;
    BufferLimits limits = new BufferLimits(MAX, 256L << 20, 0.5, 0.9, policy, maxAgeMs, priorities);
    SlipstreamConfig config =
        SlipstreamConfig.defaults().toBuilder()
            .eventLoops(1)
            .sustainMs(600_000)
            .buffer(limits)
            .build();
    server = TestServer.start(config, clock);
    clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  }

  @AfterEach
  void stop() {
    if (clients != null) {
      clients.close().await();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void conflateEndsWithExactlyThePublishedRows() throws Exception {
    start(
        DropPolicy.CONFLATE, BufferLimits.DEFAULT_MAX_AGE_MS, TopicPriorities.NONE, Clock.system());
    RecordingClient c = pausedSubscriber("quotes");
    Flood flood = flood(List.of("quotes"), 10, 4 * MAX);
    assertThat(flood.droppedBeforeFull).as("no drop before 100%").isFalse();

    Client client = readAll(c, flood.lastSeq);
    assertThat(client.markers).contains("conflated").doesNotContain("dropped");
    assertThat(client.rows.get("quotes"))
        .as("the client's rows are the published state")
        .isEqualTo(publishedRows("quotes"));
    assertThat(server.meter("slipstream_changes_conflated_total"))
        .as("the conflation meter counts what the markers said")
        .isEqualTo(client.conflatedCount);
    assertThat(server.meter("slipstream_changes_dropped_total{reason=\"buffer\"}")).isZero();
  }

  @Test
  void byAgeDropsWhatWaitedTooLongBeforeTheBufferIsFull() throws Exception {
    start(DropPolicy.BY_AGE, 1_000, TopicPriorities.NONE, now::get);
    RecordingClient c = pausedSubscriber("telemetry");
    Flood flood = flood(List.of("telemetry"), 1_000, 0);
    // Past maxAgeMs for everything queued; the next publish finds them aged.
    now.addAndGet(1_001);
    JsonObject last = publish("telemetry", 1_000, 5, 0);
    flood.lastSeq.put("telemetry", last.getLong("lastSeq"));
    JsonObject stats = server.connections().getJsonObject(0);
    assertThat(stats.getInteger("pending")).as("far below 100%").isLessThan(MAX);
    assertThat(stats.getLong("dropped")).as("dropped by age at any fill").isPositive();

    Client client = readAll(c, flood.lastSeq);
    assertThat(client.markers).containsExactly("dropped age");
  }

  @Test
  void priorityDropsTheLowPriorityTopicFirst() throws Exception {
    start(
        DropPolicy.PRIORITY,
        BufferLimits.DEFAULT_MAX_AGE_MS,
        TopicPriorities.of(Map.of("orders.*", 10)),
        Clock.system());
    RecordingClient c = pausedSubscriber("orders.eu", "ticks");
    // Enough to fill the buffer and drop, not to drain it of ticks: then orders would go too.
    Flood flood = flood(List.of("orders.eu", "ticks"), 1_000, MAX);
    assertThat(flood.droppedBeforeFull).as("no drop before 100%").isFalse();

    Client client = readAll(c, flood.lastSeq);
    assertThat(client.markers).containsExactly("dropped priority");
    assertThat(client.droppedOf).containsOnlyKeys("ticks");
    assertThat(server.meter("slipstream_changes_dropped_total{reason=\"priority\"}"))
        .as("drops are metered under their reason")
        .isEqualTo(client.droppedOf.get("ticks").doubleValue());
    assertThat(server.meter("slipstream_changes_dropped_total{reason=\"buffer\"}")).isZero();
  }

  @Test
  void sampleThinsTheStreamAndKeepsTheNewest() throws Exception {
    start(DropPolicy.SAMPLE, BufferLimits.DEFAULT_MAX_AGE_MS, TopicPriorities.NONE, Clock.system());
    RecordingClient c = pausedSubscriber("gps");
    Flood flood = flood(List.of("gps"), 1_000, 3 * MAX);
    assertThat(flood.droppedBeforeFull).as("no drop before 100%").isFalse();

    Client client = readAll(c, flood.lastSeq);
    assertThat(client.markers).containsExactly("dropped sampled");
    assertThat(client.lastChange.get("gps"))
        .as("the newest change is never sampled away")
        .isEqualTo(flood.lastSeq.get("gps"));
  }

  // ------------------------------------------------------------------ helpers

  /** A client that subscribes to {@code topics}, then stops reading. */
  private RecordingClient pausedSubscriber(String... topics) {
    RecordingClient c = RecordingClient.connect(clients, server.port());
    assertThat(c.hello().getJsonObject("buffer").getString("policy"))
        .as("welcome.buffer.policy")
        .isEqualTo(policy.wireName());
    for (String t : topics) {
      assertThat(c.subscribe(t).getLong("seq")).isZero();
      c.expect("snapshot");
      c.expect("snapshot");
    }
    c.pause();
    return c;
  }

  /** What a flood published, and whether the server dropped before its buffer could be full. */
  private static final class Flood {
    final Map<String, Long> lastSeq = new HashMap<>();
    boolean droppedBeforeFull;
  }

  /**
   * Publishes batches round the topics until the server's buffer holds events (the socket is full),
   * then {@code more} events.
   */
  private Flood flood(List<String> topics, int keys, int more) throws Exception {
    Flood f = new Flood();
    int lastPending = 0;
    int counter = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int afterFull = -1;
    while (System.nanoTime() < deadline && (afterFull < 0 || afterFull < more)) {
      for (String t : topics) {
        f.lastSeq.put(t, publish(t, keys, BATCH, counter).getLong("lastSeq"));
        counter += BATCH;
        if (afterFull >= 0) {
          afterFull += BATCH;
        }
      }
      JsonObject stats = server.connections().getJsonObject(0);
      int pending = stats.getInteger("pending");
      if (stats.getLong("dropped") > 0 && lastPending + BATCH * topics.size() < MAX) {
        f.droppedBeforeFull = true;
      }
      lastPending = Math.max(lastPending, pending);
      if (afterFull < 0 && pending > 0) {
        afterFull = 0;
      }
    }
    assertThat(afterFull).as("the server's buffer was reached").isGreaterThanOrEqualTo(more);
    return f;
  }

  private JsonObject publish(String topic, int keys, int count, int counter) {
    JsonArray changes = new JsonArray();
    for (int i = 0; i < count; i++) {
      changes.add(
          new JsonObject()
              .put("op", "UPDATE")
              .put("key", "k" + ((counter + i) % keys))
              .put("row", new JsonObject().put("n", counter + i).put("pad", PADDING)));
    }
    return server.publish(topic, changes);
  }

  private Map<String, JsonObject> publishedRows(String topic) {
    Map<String, JsonObject> rows = new HashMap<>();
    for (Object o : server.rows(topic).getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      rows.put(r.getString("key"), r.getJsonObject("row"));
    }
    return rows;
  }

  /** What the client received, checked as it arrives. */
  private static final class Client {
    final Map<String, Map<String, JsonObject>> rows = new HashMap<>();
    final Map<String, Long> expectedNext = new HashMap<>();
    final Map<String, Long> lastChange = new HashMap<>();
    final Map<String, Long> droppedOf = new HashMap<>();
    final Set<String> markers = new TreeSet<>();

    /** Per topic, the open compacted run: {to, survivors still to come}. */
    final Map<String, long[]> run = new HashMap<>();

    /** The changes every {@code conflated} marker said were replaced. */
    long conflatedCount;

    long next(String topic) {
      return expectedNext.getOrDefault(topic, 1L);
    }

    void accept(JsonObject m) {
      String type = m.getString("type");
      String topic = m.getString("topic");
      long[] open = run.get(topic);
      switch (type) {
        case "change":
          {
            long seq = m.getLong("seq");
            if (open != null) {
              assertThat(seq).as("a survivor of the run").isLessThanOrEqualTo(open[0]);
              assertThat(seq).isGreaterThanOrEqualTo(next(topic));
              open[1]--;
              if (seq == open[0]) {
                assertThat(open[1]).as("the run's count was exact").isZero();
                run.remove(topic);
              }
            } else {
              assertThat(seq).as("next change of %s", topic).isEqualTo(next(topic));
            }
            expectedNext.put(topic, seq + 1);
            lastChange.put(topic, seq);
            rows.computeIfAbsent(topic, t -> new HashMap<>())
                .put(m.getString("key"), m.getJsonObject("row"));
            break;
          }
        case "dropped":
          assertThat(open).as("no drop inside a run here").isNull();
          assertThat(m.getLong("from")).as("gap where the stream stands").isEqualTo(next(topic));
          assertThat(m.getLong("count")).isEqualTo(m.getLong("to") - m.getLong("from") + 1);
          markers.add("dropped " + m.getString("reason"));
          droppedOf.merge(topic, m.getLong("count"), Long::sum);
          expectedNext.put(topic, m.getLong("to") + 1);
          break;
        case "conflated":
          assertThat(open).as("runs do not nest").isNull();
          assertThat(m.getLong("from")).as("run where the stream stands").isEqualTo(next(topic));
          long length = m.getLong("to") - m.getLong("from") + 1;
          assertThat(m.getLong("count")).isBetween(1L, length - 1);
          markers.add("conflated");
          conflatedCount += m.getLong("count");
          run.put(topic, new long[] {m.getLong("to"), length - m.getLong("count")});
          break;
        default:
          // warning and the like
      }
    }
  }

  /** Resumes reading and accounts for everything up to each topic's last published seq. */
  private static Client readAll(RecordingClient c, Map<String, Long> lastSeq) throws Exception {
    Client client = new Client();
    c.readUntil(lastSeq, client::next, client::accept);
    assertThat(client.run).as("no run left open").isEmpty();
    return client;
  }
}
