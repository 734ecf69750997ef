package io.slipstream.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.server.testing.LogCapture;
import io.slipstream.server.topic.ChangeBatch;
import io.slipstream.server.topic.LocalCodec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Hub} on a real event loop and event bus: joining, leaving, the idle consumer. */
@ExtendWith(VertxExtension.class)
class HubTest {

  private static final String TOPIC = "t";
  private static final long IDLE_MS = 200;

  /** What is logged at WARNING or above while a test runs. */
  private LogCapture logs;

  @BeforeEach
  void setUp(Vertx vertx) {
    vertx.eventBus().registerDefaultCodec(ChangeBatch.class, new LocalCodec<>(ChangeBatch.class));
    logs = LogCapture.start("io.vertx.core.impl.BlockedThreadChecker");
  }

  @AfterEach
  void tearDown() {
    logs.close();
  }

  private static ChangeBatch batch() {
    return new ChangeBatch(TOPIC, List.<ChangeEvent>of());
  }

  /** A subscriber that counts its batches and runs {@code onFirst} on the first one. */
  private static final class Counting implements Hub.Subscriber {
    final List<String> seen = new ArrayList<>();
    Runnable onFirst = () -> {};

    @Override
    public void onChanges(String topic, List<ChangeEvent> events) {
      seen.add(topic);
      if (seen.size() == 1) {
        onFirst.run();
      }
    }
  }

  /**
   * On one event loop: a hub whose only subscriber to {@link #TOPIC} joined and left again, handed
   * to {@code idle} with that subscriber right after the leave.
   */
  private static void withIdleTopic(
      Vertx vertx, VertxTestContext test, BiConsumer<Hub, Counting> idle) {
    vertx
        .getOrCreateContext()
        .runOnContext(
            v -> {
              Hub hub = new Hub(vertx, IDLE_MS);
              Counting left = new Counting();
              hub.join(TOPIC, left)
                  .onComplete(
                      test.succeeding(
                          ready -> {
                            hub.leave(TOPIC, left);
                            idle.accept(hub, left);
                          }));
            });
  }

  @Test
  void theLastSubscriberLeavingKeepsTheConsumerForIdleMsThenUnregistersIt(
      Vertx vertx, VertxTestContext test) {
    withIdleTopic(
        vertx,
        test,
        (hub, left) -> {
          // Timers on one loop fire in deadline order: this one before the hub's.
          vertx.setTimer(
              IDLE_MS / 2, t -> test.verify(() -> assertThat(hub.topics()).isEqualTo(1)));
          vertx.setTimer(
              IDLE_MS + 1,
              t ->
                  test.verify(
                      () -> {
                        assertThat(hub.topics()).isZero();
                        test.completeNow();
                      }));
        });
  }

  @Test
  void aSubscriberJoiningAnIdleTopicIsReadyAtOnceAndKeepsTheConsumer(
      Vertx vertx, VertxTestContext test) {
    withIdleTopic(
        vertx,
        test,
        (hub, first) -> {
          Counting second = new Counting();
          // Registered already: a snapshot may start reading at once.
          test.verify(() -> assertThat(hub.join(TOPIC, second).isComplete()).isTrue());
          vertx.setTimer(
              IDLE_MS + 1,
              t -> {
                // The join cancelled the idle timer: the consumer stays.
                test.verify(() -> assertThat(hub.topics()).isEqualTo(1));
                vertx.eventBus().publish(ChangeBatch.address(TOPIC), batch());
                Vertx.currentContext()
                    .runOnContext(
                        w ->
                            test.verify(
                                () -> {
                                  assertThat(second.seen).containsExactly(TOPIC);
                                  assertThat(first.seen).isEmpty();
                                  test.completeNow();
                                }));
              });
        });
  }

  /**
   * Regression: the hub unregistered a topic's consumer as soon as its last subscriber left, and
   * the batches already queued for it were discarded, each with a WARNING from Vert.x ("Discarding
   * message since the consumer is not registered"): 15 of them in one resume-storm run, where every
   * client of a loop drops at once. Here the subscriber leaves from its first batch while 99 more
   * are queued behind it.
   */
  @Test
  void leavingWithBatchesQueuedDiscardsNoneWithAWarning(Vertx vertx, VertxTestContext test)
      throws Exception {
    int batches = 100;
    CountDownLatch published = new CountDownLatch(1);
    Context loop = vertx.getOrCreateContext();
    Hub[] hub = new Hub[1];
    CountDownLatch joined = new CountDownLatch(1);
    loop.runOnContext(
        v -> {
          hub[0] = new Hub(vertx, IDLE_MS);
          Counting s = new Counting();
          s.onFirst =
              () -> {
                // Hold the loop until every batch is queued for the consumer, then leave.
                try {
                  assertThat(published.await(10, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                hub[0].leave(TOPIC, s);
              };
          int[] counted = {0};
          // A second consumer on the same loop: once it has the last batch, the hub's copies of
          // every batch are queued ahead of the check below.
          vertx
              .eventBus()
              .<ChangeBatch>localConsumer(
                  ChangeBatch.address(TOPIC),
                  m -> {
                    if (++counted[0] == batches) {
                      loop.runOnContext(
                          w ->
                              test.verify(
                                  () -> {
                                    assertThat(s.seen).hasSize(1);
                                    assertThat(logs.records()).isEmpty();
                                    test.completeNow();
                                  }));
                    }
                  })
              .completion()
              .compose(x -> hub[0].join(TOPIC, s))
              .onComplete(test.succeeding(x -> joined.countDown()));
        });
    assertThat(joined.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < batches; i++) {
      vertx.eventBus().publish(ChangeBatch.address(TOPIC), batch());
    }
    published.countDown();
    assertThat(test.awaitCompletion(20, TimeUnit.SECONDS)).isTrue();
    if (test.failed()) {
      throw new AssertionError(test.causeOfFailure());
    }
  }
}
