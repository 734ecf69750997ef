package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.server.config.QualityThresholds;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.eventbus.Lifecycle;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connection quality (docs/protocol.md §10, §11): a client that stops reading is {@code lagging}
 * before its buffer reaches {@code warn}, then {@code warned}; each transition is a lifecycle event
 * with the figures that caused it; {@code /api/connections} shows the quality beside the state and
 * sorts the worst first; a client that reads again is {@code healthy}, with its event. A client
 * that keeps reading stays {@code healthy} throughout.
 */
class ConnectionQualityIT {

  private static final String TOPIC = "quality";
  private static final String PADDING = "x".repeat(1000);

  private TestServer server;
  private Vertx clients;
  private final List<JsonObject> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                // Never 4001 here: the test is about what comes before.
                .sustainMs(120_000)
                .buffer(
                    new BufferLimits(
                        2_000, BufferLimits.DEFAULT_MAX_BYTES, 0.8, 0.95, DropPolicy.DROP_OLDEST))
                .quality(new QualityThresholds(100, 300, 60_000, 300))
                .build());
    server
        .vertx()
        .eventBus()
        .<JsonObject>consumer(Lifecycle.ADDRESS, m -> events.add(m.body()))
        .completion()
        .await();
    clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  @AfterEach
  void stop() {
    clients.close().await();
    server.close();
  }

  @Test
  void pausedClientIsLaggingThenWarnedThenHealthyAgainWithFiguresWhileReaderStaysHealthy()
      throws Exception {
    RecordingClient slow = RecordingClient.connect(clients, server.port());
    String slowSession = slow.hello().getString("session");
    slow.subscribe(TOPIC);
    RecordingClient fast = RecordingClient.connect(clients, server.port());
    String fastSession = fast.hello().getString("session");
    fast.subscribe(TOPIC);
    slow.pause();
    // The fast client drains what it gets on its own loop, so it never falls behind.
    fast.resume();

    // About 1,000 changes a second: the 2,000-event buffer takes seconds to reach warn, far more
    // than the 300 ms that make a stalled or growing connection lagging.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    int k = 0;
    while (!seen(slowSession, "warned") && System.nanoTime() < deadline) {
      JsonArray changes = new JsonArray();
      for (int i = 0; i < 50; i++, k++) {
        changes.add(
            new JsonObject()
                .put("op", "UPDATE")
                .put("key", "k" + (k % 200))
                .put("row", new JsonObject().put("pad", PADDING)));
      }
      server.publish(TOPIC, changes);
      Thread.sleep(50); // paces the load; not a synchronisation
      drain(fast);
    }
    List<String> slowQualities = qualities(slowSession);
    assertThat(slowQualities).as("slow client's quality events").startsWith("lagging");
    assertThat(slowQualities).contains("warned");
    assertThat(slowQualities.indexOf("lagging")).isLessThan(slowQualities.indexOf("warned"));
    JsonObject lagging = first(slowSession, "lagging");
    assertThat(lagging.getString("reason")).isNotBlank();
    JsonObject figures = lagging.getJsonObject("figures");
    assertThat(figures).as("figures of the lagging event").isNotNull();
    assertThat(figures.getDouble("fill")).isLessThan(0.8);
    assertThat(figures.getLong("stalledMs") >= 300 || figures.getDouble("growthPerSec") > 0)
        .as("stalled or growing: %s", lagging)
        .isTrue();
    assertThat(first(slowSession, "warned").getJsonObject("figures").getDouble("fill"))
        .isGreaterThanOrEqualTo(0.8);

    // The worst leads the sorted page; the reader is healthy.
    JsonObject page =
        new JsonObject(server.request("GET", "/api/connections?sort=fill&limit=2", null).body());
    JsonArray list = page.getJsonArray("connections");
    assertThat(list).hasSize(2);
    assertThat(list.getJsonObject(0).getString("session")).isEqualTo(slowSession);
    assertThat(list.getJsonObject(0).getString("quality")).isIn("warned", "dropping", "slow");
    assertThat(list.getJsonObject(0).getString("qos")).isEqualTo("standard");
    assertThat(list.getJsonObject(1).getString("session")).isEqualTo(fastSession);
    assertThat(list.getJsonObject(1).getString("quality")).isEqualTo("healthy");
    assertThat(qualities(fastSession)).as("the reader's quality events").isEmpty();

    // Reading again: healthy, with its event.
    slow.resume();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!seen(slowSession, "healthy") && System.nanoTime() < until) {
      drain(slow);
    }
    assertThat(seen(slowSession, "healthy")).as("healthy again after reading").isTrue();
    JsonArray after = server.connections();
    for (Object o : after) {
      assertThat(((JsonObject) o).getString("quality")).isEqualTo("healthy");
    }
    slow.close();
    fast.close();
  }

  private static void drain(RecordingClient c) throws InterruptedException {
    while (c.poll(1) != null) {
      // Discard: only the server's view matters here.
    }
  }

  private boolean seen(String session, String event) {
    return events.stream().anyMatch(is(session, event));
  }

  private JsonObject first(String session, String event) {
    return events.stream().filter(is(session, event)).findFirst().orElseThrow();
  }

  private static Predicate<JsonObject> is(String session, String event) {
    return e -> session.equals(e.getString("session")) && event.equals(e.getString("event"));
  }

  private List<String> qualities(String session) {
    List<String> out = new ArrayList<>();
    for (JsonObject e : events) {
      String name = e.getString("event");
      if (session.equals(e.getString("session"))
          && List.of("lagging", "healthy", "warned", "dropping", "slow").contains(name)) {
        out.add(name);
      }
    }
    return out;
  }
}
