package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link TurnQueue} on a real Vert.x event loop.
 *
 * <p>Regression: write pumps with more to write than one turn re-queued themselves with {@code
 * runOnContext}. Netty runs queued tasks for up to a second ({@code maxTaskProcessingQuantumMs})
 * before it polls its sockets or takes its timers again, so in a resume storm the first clients'
 * replays held up every other client's handshake and {@code hello} on their loop for as long as
 * the replays lasted (goal 6 of issue 12: 96 ms median to the first replayed change). Here the
 * same self-re-queuing "pump" turns 2 ms at a time; a timer set with it must fire after a few
 * turns, not after the ~500 turns that {@code runOnContext} let pass.
 */
@ExtendWith(VertxExtension.class)
class TurnQueueTest {

  /** Turns a pump would take in all: 4 s of work, well past Netty's 1 s quantum. */
  private static final int TURNS = 2_000;

  @Test
  void theLoopTakesItsTimersBetweenSlicesOfAPumpThatKeepsRequeuing(
      Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(
        v -> {
          int[] turns = {0};
          int[] firedAfter = {-1};
          vertx.setTimer(1, t -> firedAfter[0] = turns[0]);
          TurnQueue.Turn[] self = new TurnQueue.Turn[1];
          self[0] =
              TurnQueue.turn(
                  context,
                  () -> {
                    turns[0]++;
                    spin(TimeUnit.MILLISECONDS.toNanos(2));
                    if (firedAfter[0] >= 0 || turns[0] == TURNS) {
                      test.verify(
                          () -> {
                            assertThat(firedAfter[0]).as("turns before the timer fired").isBetween(0, 10);
                            assertThat(Vertx.currentContext()).isSameAs(context);
                          });
                      test.completeNow();
                    } else {
                      TurnQueue.later(self[0]);
                    }
                  });
          TurnQueue.later(self[0]);
        });
  }

  @Test
  void turnsQueuedTogetherRunInOrderOnTheirContext(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    List<Integer> ran = new ArrayList<>();
    context.runOnContext(
        v -> {
          for (int i = 0; i < 5; i++) {
            int n = i;
            TurnQueue.later(
                TurnQueue.turn(
                    context,
                    () -> {
                      ran.add(n);
                      if (n == 4) {
                        test.verify(() -> assertThat(ran).containsExactly(0, 1, 2, 3, 4));
                        test.completeNow();
                      }
                    }));
          }
        });
  }

  @Test
  void offTheLoopATurnRunsOnItsContext(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    TurnQueue.later(
        TurnQueue.turn(
            context,
            () -> {
              test.verify(() -> assertThat(Vertx.currentContext()).isSameAs(context));
              test.completeNow();
            }));
  }

  private static void spin(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() - end < 0) {
      Thread.onSpinWait();
    }
  }
}
