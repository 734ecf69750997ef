package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.server.eventbus.Lifecycle.Event;
import io.slipstream.server.metrics.Metrics;
import io.slipstream.server.protocol.ChangeFrames;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The slow-consumer watch over a real buffer and real Vert.x timers: one {@code warning} (and one
 * {@code warned} event) per upward crossing of warn, one {@code dropping} per dropping spell, 4001
 * at once under the disconnect policy and after {@code sustainMs} otherwise.
 *
 * <p>Every call runs on one event loop, as the watch's threading contract asks.
 */
class SlowConsumerWatchTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context loop = vertx.getOrCreateContext();
  private final Metrics metrics =
      new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  private final List<String> events = new ArrayList<>();
  private final List<JsonObject> warnings = new ArrayList<>();
  private final CompletableFuture<Long> closedAt = new CompletableFuture<>();
  private long seq;

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private static ClientBuffer buffer(int max, double warn, double disconnect, DropPolicy policy) {
    return new ClientBuffer(
        new BufferLimits(max, 1 << 20, warn, disconnect, policy), Clock.system());
  }

  private SlowConsumerWatch watch(ClientBuffer buffer, long sustainMs) {
    return new SlowConsumerWatch(
        vertx,
        Clock.system(),
        buffer,
        sustainMs,
        metrics,
        (Event e, String reason) -> events.add(e.wireName()),
        m -> warnings.add(new JsonObject(new String(m, StandardCharsets.UTF_8))),
        () -> closedAt.complete(System.nanoTime()),
        new BufferBudget(vertx, Long.MAX_VALUE));
  }

  private ChangeEvent next() {
    seq++;
    return new ChangeEvent(
        "t", "e", seq, ChangeOp.UPDATE, "k" + seq, "{}", 1, ChangeFrames.INSTANCE);
  }

  /** Offers {@code n} events as one batch, like a hub delivery. */
  private static boolean offer(ClientBuffer buffer, SlowConsumerWatch watch, ChangeEvent... batch) {
    for (ChangeEvent e : batch) {
      if (!watch.offered(buffer.offer(e))) {
        return false;
      }
    }
    return watch.afterOffers();
  }

  private ChangeEvent[] events(int n) {
    ChangeEvent[] batch = new ChangeEvent[n];
    for (int i = 0; i < n; i++) {
      batch[i] = next();
    }
    return batch;
  }

  private <T> T onLoop(Supplier<T> body) {
    CompletableFuture<T> done = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          try {
            done.complete(body.get());
          } catch (Throwable t) {
            done.completeExceptionally(t);
          }
        });
    return done.join();
  }

  @Test
  void oneWarningPerUpwardCrossingAndOneDroppingPerSpell() {
    onLoop(
        () -> {
          ClientBuffer buffer = buffer(10, 0.5, 1.0, DropPolicy.DROP_OLDEST);
          SlowConsumerWatch watch = watch(buffer, 60_000);
          offer(buffer, watch, events(4));
          assertThat(warnings).isEmpty();
          assertThat(watch.state()).isEqualTo("active");
          // Past warn, then on into drops: still only the one warning.
          offer(buffer, watch, events(20));
          assertThat(warnings).hasSize(1);
          JsonObject w = warnings.get(0);
          assertThat(w.getString("type")).isEqualTo("warning");
          assertThat(w.getDouble("fill")).isGreaterThanOrEqualTo(0.5);
          assertThat(w.getInteger("max")).isEqualTo(10);
          assertThat(events).containsExactly("warned", "dropping");
          assertThat(watch.state()).isEqualTo("slow");
          offer(buffer, watch, events(20));
          assertThat(warnings).hasSize(1);
          assertThat(events).containsExactly("warned", "dropping");
          watch.stop();
          return null;
        });
  }

  @Test
  void theDisconnectPolicyClosesAtOnceWhenFull() {
    boolean open =
        onLoop(
            () -> {
              ClientBuffer buffer = buffer(4, 0.8, 0.95, DropPolicy.DISCONNECT);
              SlowConsumerWatch watch = watch(buffer, 60_000);
              return offer(buffer, watch, events(5));
            });
    assertThat(open).isFalse();
    assertThat(closedAt).isDone();
    assertThat(events).endsWith("slow");
  }

  @Test
  void aFillHeldAtDisconnectClosesAfterSustainMs() throws Exception {
    long sustainMs = 300;
    long start =
        onLoop(
            () -> {
              ClientBuffer buffer = buffer(10, 0.5, 0.9, DropPolicy.DROP_OLDEST);
              SlowConsumerWatch watch = watch(buffer, sustainMs);
              long t0 = System.nanoTime();
              offer(buffer, watch, events(10));
              return t0;
            });
    long closed = closedAt.get(10, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(closed - start)).isGreaterThanOrEqualTo(sustainMs);
    assertThat(onLoop(() -> events)).containsExactly("warned", "slow");
  }

  /**
   * A connection over its share of the node's budget, that then drains and takes a batch straight
   * to its socket (write-through, no offer), has ended that stretch over the level: falling over
   * again later starts a new {@code sustainMs}, not a close. Fails if the passed batch skips the
   * budget while the share is over (the old stretch's start would still stand, and the next
   * buffered batch after {@code sustainMs} would close the connection 4001 at once).
   */
  @Test
  void aBatchThatPassesThroughEndsAStretchOverTheBudgetShare() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000);
    Clock clock = now::get;
    long sustainMs = 500;
    BufferBudget budget = new BufferBudget(vertx, 1_000);
    List<String> verdicts =
        onLoop(
            () -> {
              List<String> out = new ArrayList<>();
              ClientBuffer buffer =
                  new ClientBuffer(
                      new BufferLimits(1_000, 1 << 20, 0.8, 0.95, DropPolicy.DROP_OLDEST), clock);
              SlowConsumerWatch watch =
                  new SlowConsumerWatch(
                      vertx,
                      clock,
                      buffer,
                      sustainMs,
                      metrics,
                      (Event e, String reason) -> events.add(e.wireName()),
                      m -> warnings.add(new JsonObject(new String(m, StandardCharsets.UTF_8))),
                      () -> closedAt.complete(System.nanoTime()),
                      budget);
              offer(buffer, watch, events(100));
              budget.recompute();
              // Over the level: shed, and the stretch over it starts now.
              out.add(offer(buffer, watch, events(10)) ? "open" : "closed");
              out.add(budget.level() < Long.MAX_VALUE ? "level" : "no level");
              // The client reads everything; the next batch goes straight to its socket.
              while (buffer.poll(new io.slipstream.core.buffer.BufferSink() {
                @Override
                public void change(ChangeEvent e) {}

                @Override
                public void dropped(
                    String topic, long from, long to, long count,
                    io.slipstream.core.message.DropReason reason) {}

                @Override
                public void conflated(String topic, long from, long to, long count) {}
              })) {
                // drained
              }
              watch.afterTurn(0);
              watch.passedThrough();
              out.add(watch.afterPassedBatch() ? "open" : "closed");
              // Later than sustainMs after the first stretch began, over the level again.
              now.addAndGet(sustainMs + 1);
              out.add(offer(buffer, watch, events(100)) ? "open" : "closed");
              out.add(offer(buffer, watch, events(10)) ? "open" : "closed");
              watch.stop();
              return out;
            });
    assertThat(verdicts).containsExactly("open", "level", "open", "open", "open");
    assertThat(closedAt).isNotDone();
    assertThat(events).contains("dropping");
  }
}
