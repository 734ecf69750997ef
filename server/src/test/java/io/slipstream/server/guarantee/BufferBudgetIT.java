package io.slipstream.server.guarantee;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.message.CloseCode;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Budget shedding over real WebSockets (contract §5, docs/protocol.md §6): a node whose buffers
 * together pass {@code buffer.budgetBytes} sheds the connections furthest behind first, with {@code
 * dropped} reason {@code budget}, keeps the buffers' total within the budget (plus what arrives
 * before the next level is published, about one batch per connection), loses nothing of a client
 * that reads, and closes 4001 a connection that stays over its share for {@code sustainMs}.
 *
 * <p>Two paused clients: {@code a} subscribes to two topics and {@code b} to one of them, so a's
 * backlog grows twice as fast as b's; {@code fast} reads one topic as it comes. The per-connection
 * bounds are far out of reach, so every drop is the budget's. Two event loops, so the connections'
 * shares are published from different threads.
 */
class BufferBudgetIT {

  private static final long BUDGET = 1 << 20;
  private static final int BATCH = 10;
  private static final String PADDING = "x".repeat(2000);

  /** More than any change frame of this test weighs in a buffer (its row is ~2 KB). */
  private static final long EVENT_BYTES = 2_300;

  private TestServer server;
  private Vertx clients;

  private void start(long sustainMs) {
    SlipstreamConfig config =
        SlipstreamConfig.defaults().toBuilder()
            .eventLoops(2)
            .sustainMs(sustainMs)
            .bufferBudgetBytes(BUDGET)
            .buffer(new BufferLimits(1_000_000, 1L << 30, 0.5, 0.9, DropPolicy.DROP_OLDEST))
            .build();
    server = TestServer.start(config);
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
  void theFurthestBehindIsShedFirstAndTheTotalStaysWithinTheBudget() throws Exception {
    start(600_000);
    RecordingClient a = subscriber("a", "x", "y");
    RecordingClient b = subscriber("b", "x");
    RecordingClient fast = subscriber("fast", "y");
    a.pause();
    b.pause();
    // One round publishes a batch to each topic: a takes two, b and fast one each.
    long slack = 4 * BATCH * EVENT_BYTES;
    Map<String, Long> last = new HashMap<>();
    long maxTotal = 0;
    int roundsAfterFirstShed = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int counter = 0;
    while (roundsAfterFirstShed < 30) {
      assertThat(System.nanoTime()).as("shedding starts in time").isLessThan(deadline);
      for (String t : List.of("x", "y")) {
        last.put(t, publish(t, counter));
        counter += BATCH;
      }
      Map<String, JsonObject> stats = stats();
      long total = 0;
      for (JsonObject s : stats.values()) {
        total += s.getLong("pendingBytes");
        assertThat(s.getLong("pendingBytes") / Math.max(1, s.getInteger("pending")))
            .as("frames weigh less than EVENT_BYTES")
            .isLessThanOrEqualTo(EVENT_BYTES);
      }
      maxTotal = Math.max(maxTotal, total);
      assertThat(total)
          .as("all buffers together within buffer.budgetBytes plus about one batch each")
          .isLessThanOrEqualTo(BUDGET + slack);
      long droppedA = stats.get("a").getLong("dropped");
      long droppedB = stats.get("b").getLong("dropped");
      if (roundsAfterFirstShed < 0 && (droppedA > 0 || droppedB > 0)) {
        assertThat(droppedA).as("the biggest backlog is shed first").isPositive();
        assertThat(droppedB).as("the smaller backlog is not shed first").isZero();
        roundsAfterFirstShed = 0;
      } else if (roundsAfterFirstShed >= 0) {
        roundsAfterFirstShed++;
      }
      assertThat(stats.get("fast").getLong("dropped")).as("the reader loses nothing").isZero();
    }
    assertThat(maxTotal).as("the budget was reached").isGreaterThan(BUDGET / 2);
    assertThat(server.meter("slipstream_buffer_pending_bytes"))
        .as("the gauge shows the buffers' total within the budget")
        .isBetween(1.0, (double) BUDGET + slack);
    assertThat(server.meter("slipstream_buffer_pending_bytes_peak"))
        .as("the peak gauge saw the budget reached, and never more than the bound")
        .isBetween(BUDGET / 2.0, (double) BUDGET + slack);
    assertThat(server.meter("slipstream_buffer_budget_bytes")).isEqualTo((double) BUDGET);

    long droppedA = stats().get("a").getLong("dropped");
    Stream sa = readAll(a, last);
    Stream sb = readAll(b, Map.of("x", last.get("x")));
    Stream sf = readAll(fast, Map.of("y", last.get("y")));
    assertThat(sa.budgetDrops).as("a's markers name what it lost").isEqualTo(droppedA);
    assertThat(sa.budgetDrops).isPositive();
    assertThat(sf.budgetDrops).as("the reader got every change").isZero();
    assertThat(server.meter("slipstream_changes_dropped_total{reason=\"budget\"}"))
        .as("budget drops are metered under their reason")
        .isEqualTo((double) (sa.budgetDrops + sb.budgetDrops));
    assertThat(server.meter("slipstream_changes_dropped_total{reason=\"buffer\"}")).isZero();
    assertThat(a.isClosed() || b.isClosed() || fast.isClosed()).as("no one closed").isFalse();
  }

  @Test
  void aConnectionOverItsShareForSustainMsIsClosed4001() throws Exception {
    start(500);
    RecordingClient slow = subscriber("slow", "x");
    RecordingClient fast = subscriber("fast", "x");
    slow.pause();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long lastSeq = 0;
    int counter = 0;
    boolean shed = false;
    // The paused client reads no close frame: its connection leaving the list says it was closed.
    for (JsonObject s = stats().get("slow"); s != null; s = stats().get("slow")) {
      assertThat(System.nanoTime()).as("closed in time").isLessThan(deadline);
      shed |= s.getLong("dropped") > 0;
      lastSeq = publish("x", counter);
      counter += BATCH;
    }
    assertThat(shed).as("shed before it was closed").isTrue();
    slow.resume();
    assertThat(slow.awaitClose(Duration.ofSeconds(20))).isEqualTo(CloseCode.SLOW_CONSUMER.code());
    Stream sf = readAll(fast, Map.of("x", lastSeq));
    assertThat(sf.budgetDrops).as("the reader got every change").isZero();
    assertThat(fast.isClosed()).isFalse();
  }

  /**
   * Regression: the 4001 of a connection over its share was judged only when live changes arrived,
   * so a client that stopped reading while over its share stayed open, holding its bytes, for as
   * long as its topics stayed silent.
   */
  @Test
  void aConnectionOverItsShareIsClosed4001AfterSustainMsWhileItsTopicsAreSilent()
      throws Exception {
    start(1_000);
    RecordingLifecycle lifecycle = RecordingLifecycle.on(server);
    RecordingClient slow = subscriber("slow", "x");
    slow.pause();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int counter = 0;
    while (stats().get("slow").getLong("dropped") == 0) {
      assertThat(System.nanoTime()).as("shed in time").isLessThan(deadline);
      publish("x", counter);
      counter += BATCH;
    }
    long silentSince = System.nanoTime();
    // No change is published from here on: only the server's own timer can close the connection.
    JsonObject slowEvent = lifecycle.await("slow");
    assertThat(slowEvent.getString("reason"))
        .as("closed by the budget timer, not by a batch")
        .contains("buffer.budgetBytes")
        .contains("reading nothing");
    assertThat(System.nanoTime() - silentSince)
        .as("within sustainMs of the first shed, plus a timer's lateness")
        .isLessThan(TimeUnit.SECONDS.toNanos(5));
    assertThat(stats()).doesNotContainKey("slow");
    slow.resume();
    assertThat(slow.awaitClose(Duration.ofSeconds(20))).isEqualTo(CloseCode.SLOW_CONSUMER.code());
  }

  /**
   * Only what stays in a buffer after its pump turn counts against the budget: a socket with room
   * takes each batch in the turn it arrives, so a client that keeps up adds nothing to the node's
   * total. Before 2026-12-04 the budget was told of every batch between its offer and the pump
   * (the peak gauge showed a batch per reader; each delivery touched the counters every event
   * loop reads).
   */
  @Test
  void aClientThatKeepsUpAddsNothingToTheBudget() throws Exception {
    start(600_000);
    RecordingClient reader = subscriber("reader", "x");
    Stream read = new Stream();
    for (int round = 0; round < 5; round++) {
      long seq = publish("x", round * BATCH);
      // Read before the next batch: the socket has room for every one.
      reader.readUntil(Map.of("x", seq), read::next, read::accept);
    }
    assertThat(read.next("x")).isEqualTo(5L * BATCH + 1);
    assertThat(server.meter("slipstream_buffer_pending_bytes_peak"))
        .as("no byte was held past a turn")
        .isZero();
  }

  // ------------------------------------------------------------------ helpers

  private RecordingClient subscriber(String clientId, String... topics) {
    RecordingClient c = RecordingClient.connect(clients, server.port());
    c.send(new JsonObject().put("type", "hello").put("clientId", clientId));
    c.expect("welcome");
    for (String t : topics) {
      c.subscribe(t);
      c.expect("snapshot");
      c.expect("snapshot");
    }
    return c;
  }

  /** The open connections by client id. */
  private Map<String, JsonObject> stats() {
    Map<String, JsonObject> byClient = new HashMap<>();
    for (Object o : server.connections()) {
      JsonObject c = (JsonObject) o;
      byClient.put(c.getString("clientId"), c);
    }
    return byClient;
  }

  private long publish(String topic, int counter) {
    JsonArray changes = new JsonArray();
    for (int i = 0; i < BATCH; i++) {
      changes.add(
          new JsonObject()
              .put("op", "UPDATE")
              .put("key", "k" + (counter + i))
              .put("row", new JsonObject().put("n", counter + i).put("pad", PADDING)));
    }
    return server.publish(topic, changes).getLong("lastSeq");
  }

  /** What a client read: every seq accounted for in order, the drops all of reason budget. */
  private static final class Stream {
    final Map<String, Long> next = new HashMap<>();
    long budgetDrops;

    long next(String topic) {
      return next.getOrDefault(topic, 1L);
    }

    void accept(JsonObject m) {
      String topic = m.getString("topic");
      switch (m.getString("type")) {
        case "change":
          assertThat(m.getLong("seq")).as("next change of %s", topic).isEqualTo(next(topic));
          next.put(topic, m.getLong("seq") + 1);
          break;
        case "dropped":
          assertThat(m.getString("reason")).isEqualTo("budget");
          assertThat(m.getLong("from")).as("gap where the stream stands").isEqualTo(next(topic));
          assertThat(m.getLong("count")).isEqualTo(m.getLong("to") - m.getLong("from") + 1);
          budgetDrops += m.getLong("count");
          next.put(topic, m.getLong("to") + 1);
          break;
        default:
          // warning and the like
      }
    }
  }

  /** Resumes reading and accounts for everything up to each topic's last published seq. */
  private static Stream readAll(RecordingClient c, Map<String, Long> lastSeq) throws Exception {
    Stream s = new Stream();
    c.readUntil(lastSeq, s::next, s::accept);
    return s;
  }
}
