package io.slipstream.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.server.config.QualityThresholds;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The values of {@code /metrics}, not only their names (issue 10): a scripted run publishes to
 * three readers and one paused client, which is warned, drops and is closed 4001, then resumes by
 * replay; every Slipstream meter then holds what the clients saw.
 */
class MetricsValuesIT {

  private static final String TOPIC = "scripted";
  private static final String PADDING = "x".repeat(4000);
  private static final int MAX_EVENTS = 200;

  /** The most changes the flood publishes: 100 × the slow buffer, a fifth of the replay window. */
  private static final long MAX_FLOOD = 20_000;

  private TestServer server;
  private Vertx clients;

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .sustainMs(1_000)
                .buffer(
                    new BufferLimits(
                        MAX_EVENTS,
                        BufferLimits.DEFAULT_MAX_BYTES,
                        0.5,
                        0.9,
                        DropPolicy.DROP_OLDEST))
                .quality(new QualityThresholds(100, 300, 60_000, 300))
                .metricsTopics("script*")
                // The readers' own class: a loaded machine must not make them drop (only the
                // paused client's 200-event buffer is meant to).
                .qosClasses(new JsonObject().put("reader", new JsonObject().put("max", 100_000)))
                .build());
    clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  @AfterEach
  void stop() {
    clients.close().await();
    server.close();
  }

  @Test
  void everyMeterHoldsWhatTheScriptedRunDid() throws Exception {
    // 5 rows before anyone subscribes: each of the 4 snapshots streams them.
    JsonArray first = new JsonArray();
    for (int i = 0; i < 5; i++) {
      first.add(change("r" + i));
    }
    server.publish(TOPIC, first);
    server.publish("other", change("o"));
    List<RecordingClient> readers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordingClient r = RecordingClient.connect(clients, server.port());
      r.send(new JsonObject().put("type", "hello").put("qos", "reader"));
      assertThat(r.expect("welcome").getString("qos")).isEqualTo("reader");
      r.subscribe(TOPIC);
      readers.add(r);
    }
    RecordingClient slow = RecordingClient.connect(clients, server.port());
    JsonObject welcome = slow.hello();
    String epoch = slow.subscribe(TOPIC).getString("epoch");
    long lastSnapshotSeq = 5;
    slow.pause();

    int publishes = 2;
    int changes = 6;
    long lastSeq = lastSnapshotSeq;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!slow.isClosed() && System.nanoTime() < deadline) {
      JsonArray batch = new JsonArray();
      for (int i = 0; i < 50; i++) {
        batch.add(change("k" + (i % 20)));
      }
      lastSeq = server.publish(TOPIC, batch).getLong("lastSeq");
      publishes++;
      changes += 50;
      if (server.server().connections().size() < 4) {
        break; // the slow one is closed; its client may not have read the close yet
      }
      if (lastSeq - lastSnapshotSeq >= MAX_FLOOD) {
        // Enough to fill the slow buffer many times over: the paused client keeps it full until
        // its sustainMs closes it. Publishing on would push where it stands out of the replay
        // window once publishes got fast (the resume below then got a reset, out-of-window).
        while (server.server().connections().size() == 4 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        break;
      }
    }
    long flood = lastSeq - lastSnapshotSeq;

    // Each reader: every change of the flood, once.
    long delivered = 0;
    for (RecordingClient r : readers) {
      delivered += readChangesUpTo(r, lastSnapshotSeq, lastSeq);
    }
    assertThat(delivered).isEqualTo(3 * flood);

    // The slow one: what the server wrote before 4001.
    slow.resume();
    assertThat(slow.awaitClose(Duration.ofSeconds(20))).isEqualTo(4001);
    long slowChanges = 0;
    long droppedSeen = 0;
    int warnings = 0;
    long slowLast = lastSnapshotSeq;
    JsonObject m;
    while ((m = slow.poll(300)) != null) {
      switch (m.getString("type")) {
        case "change":
          if (m.getLong("seq") > lastSnapshotSeq) {
            slowChanges++;
            slowLast = m.getLong("seq");
          }
          break;
        case "dropped":
          droppedSeen += m.getLong("count");
          slowLast = Math.max(slowLast, m.getLong("to"));
          break;
        case "warning":
          warnings++;
          break;
        default:
          break;
      }
    }
    assertThat(warnings).isPositive();

    // One resume, by replay from where the slow client stands.
    RecordingClient back = RecordingClient.connect(clients, server.port());
    back.send(
        new JsonObject()
            .put("type", "hello")
            .put("resume", welcome.getString("resume"))
            .put(
                "positions",
                new JsonObject()
                    .put(TOPIC, new JsonObject().put("epoch", epoch).put("seq", slowLast))));
    assertThat(back.expect("welcome").getBoolean("resumed")).isTrue();
    assertThat(back.expect("subscribed").getString("mode")).isEqualTo("replay");
    long replayed = readChangesUpTo(back, slowLast, lastSeq);
    assertThat(replayed).isEqualTo(lastSeq - slowLast);
    readers
        .get(0)
        .send(new JsonObject().put("type", "ack").put("topic", TOPIC).put("seq", lastSeq));

    // Gauges catch up at the next quality tick: wait for it, not for a time.
    Map<String, Double> v =
        awaitMetrics(
            x ->
                x.getOrDefault("slipstream_connections_quality{quality=\"healthy\"}", 0.0) == 4
                    && x.getOrDefault("slipstream_ack_lag_seconds_count", 0.0) == 1);

    assertThat(v.get("slipstream_publishes_total{outcome=\"applied\"}")).isEqualTo(publishes);
    assertThat(v.get("slipstream_changes_published_total")).isEqualTo(changes);
    assertThat(v.get("slipstream_topic_changes_published_total{topic=\"scripted\"}"))
        .isEqualTo(changes - 1);
    assertThat(v).doesNotContainKey("slipstream_topic_changes_published_total{topic=\"other\"}");
    // Live changes only: the replayed ones are catch-up frames (messages sent, not deliveries).
    long deliveredAll = delivered + slowChanges;
    assertThat(v.get("slipstream_changes_delivered_total")).isEqualTo(deliveredAll);
    assertThat(v.get("slipstream_messages_sent_total")).isGreaterThan(deliveredAll + replayed);
    // Dropped: what the markers told, plus at most a buffer's worth that was pending at the close
    // and the one batch published as it closed.
    double dropped = v.get("slipstream_changes_dropped_total{reason=\"buffer\"}");
    assertThat(dropped).as("the slow client was dropped from").isPositive();
    assertThat(dropped).isGreaterThanOrEqualTo(droppedSeen);
    assertThat(dropped)
        .isBetween(
            (double) (flood - slowChanges - MAX_EVENTS - 50), (double) (flood - slowChanges));
    assertThat(v.get("slipstream_changes_conflated_total")).isEqualTo(0);
    assertThat(v.get("slipstream_warnings_total")).isEqualTo(warnings);
    assertThat(v.get("slipstream_connections_closed_total{code=\"4001\"}")).isEqualTo(1);
    assertThat(v.get("slipstream_connections_closed_total{code=\"1000\"}")).isEqualTo(0);
    assertThat(v.get("slipstream_resumes_total{outcome=\"resumed\"}")).isEqualTo(1);
    assertThat(v.get("slipstream_resumes_total{outcome=\"replay\"}")).isEqualTo(1);
    assertThat(v.get("slipstream_resumes_total{outcome=\"reset\"}")).isEqualTo(0);
    assertThat(v.get("slipstream_resumes_total{outcome=\"expired\"}")).isEqualTo(0);
    assertThat(v.get("slipstream_resumes_total{outcome=\"refused\"}")).isEqualTo(0);
    assertThat(v.get("slipstream_subscriptions_total{mode=\"snapshot\"}")).isEqualTo(4);
    assertThat(v.get("slipstream_subscriptions_total{mode=\"replay\"}")).isEqualTo(1);
    assertThat(v.get("slipstream_snapshot_rows_total")).isEqualTo(4 * 5);
    assertThat(v.get("slipstream_connections")).isEqualTo(4);
    assertThat(v.get("slipstream_connections_open{state=\"active\",transport=\"websocket\"}"))
        .isEqualTo(4);
    assertThat(v.get("slipstream_connections_open{state=\"connecting\",transport=\"websocket\"}"))
        .isEqualTo(0);
    assertThat(v.get("slipstream_connections_open{state=\"active\",transport=\"sockjs\"}"))
        .isEqualTo(0);
    assertThat(v.get("slipstream_sessions")).isEqualTo(4);
    assertThat(v.get("slipstream_sessions_attached")).isEqualTo(4);
    assertThat(v.get("slipstream_sessions_suspended")).isEqualTo(0);
    assertThat(v.get("slipstream_topics")).isEqualTo(2);
    for (String q : List.of("lagging", "warned", "dropping", "slow")) {
      assertThat(v.get("slipstream_connections_quality{quality=\"" + q + "\"}")).as(q).isEqualTo(0);
    }
    // Histograms: bounded bucket sets, observations where the run made them.
    assertThat(v.get("slipstream_ack_lag_seconds_count")).isEqualTo(1);
    assertThat(v.get("slipstream_publish_to_socket_seconds_count")).isPositive();
    assertThat(v.get("slipstream_publish_to_socket_seconds_count"))
        .isLessThanOrEqualTo(deliveredAll);
    assertThat(v.get("slipstream_eventloop_delay_seconds_count")).isPositive();
    assertThat(v.get("slipstream_connection_buffer_fill_ratio_count")).isPositive();
    assertThat(v.get("slipstream_connection_buffer_fill_ratio_bucket{le=\"1.0\"}"))
        .isEqualTo(v.get("slipstream_connection_buffer_fill_ratio_count"));
    assertThat(v.keySet().stream().filter(k -> k.startsWith("slipstream_ack_lag_seconds_bucket")))
        .hasSizeLessThanOrEqualTo(Metrics.LATENCY_BUCKETS.length + 1);
    for (String k : v.keySet()) {
      assertThat(k)
          .as("no per-connection labels")
          .doesNotContain("connection=")
          .doesNotContain("session=");
    }
    back.close();
    readers.forEach(RecordingClient::close);
  }

  private static JsonObject change(String key) {
    return new JsonObject()
        .put("op", "UPDATE")
        .put("key", key)
        .put("row", new JsonObject().put("pad", PADDING));
  }

  /**
   * Reads until the change {@code seq}; returns how many changes after {@code after} came (snapshot
   * rows carry the snapshot's seq, so they are not counted).
   */
  private static long readChangesUpTo(RecordingClient c, long after, long seq) {
    long n = 0;
    while (true) {
      JsonObject m = c.next();
      if ("change".equals(m.getString("type")) && m.getLong("seq") > after) {
        n++;
        if (m.getLong("seq") >= seq) {
          return n;
        }
      }
    }
  }

  private Map<String, Double> awaitMetrics(Predicate<Map<String, Double>> ready) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Map<String, Double> v = scrape();
    while (!ready.test(v) && System.nanoTime() < deadline) {
      v = scrape();
    }
    assertThat(ready.test(v)).as("metrics settled: %s", v).isTrue();
    return v;
  }

  /** {@code /metrics} as series (name and labels as Prometheus prints them) to values. */
  private Map<String, Double> scrape() {
    Map<String, Double> out = new HashMap<>();
    for (String line : server.request("GET", "/metrics", null).body().split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return out;
  }
}
