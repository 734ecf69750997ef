package io.slipstream.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * The per-thread counters: each thread adds to its own tally, and the sums a scrape reads lose
 * nothing of what several threads counted at once, and never go backwards while they count.
 */
class LoopCountersTest {

  @Test
  void theSumsCountEveryThreadsAdditions() throws Exception {
    LoopCounters counters = new LoopCounters();
    int threads = 4;
    int turns = 200_000;
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    List<Thread> writers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
                LoopCounters.Tally mine = counters.mine();
                for (int n = 0; n < turns; n++) {
                  mine.sent(3, 2);
                  mine.wsBytes(100);
                }
              });
      t.start();
      writers.add(t);
    }
    start.await();
    long last = 0;
    while (writers.stream().anyMatch(Thread::isAlive)) {
      long now = counters.messages();
      assertThat(now).as("a scrape never sees the counter go back").isGreaterThanOrEqualTo(last);
      last = now;
    }
    for (Thread t : writers) {
      t.join();
    }
    assertThat(counters.messages()).isEqualTo(3L * threads * turns);
    assertThat(counters.changes()).isEqualTo(2L * threads * turns);
    assertThat(counters.wsBytes()).isEqualTo(100L * threads * turns);
  }

  @Test
  void aThreadKeepsOneTally() {
    LoopCounters counters = new LoopCounters();
    assertThat(counters.mine()).isSameAs(counters.mine());
  }
}
