package io.slipstream.core.spi.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link TopicStateBudget}: reservations never pass the limit, also when shards race. */
class TopicStateBudgetTest {

  @Test
  void reservesUpToTheLimitAndNoFurther() {
    TopicStateBudget b = new TopicStateBudget(100);
    assertThat(b.tryReserve(60)).isTrue();
    assertThat(b.tryReserve(41)).isFalse();
    assertThat(b.usedBytes()).as("a refusal takes nothing").isEqualTo(60);
    assertThat(b.tryReserve(40)).isTrue();
    assertThat(b.tryReserve(1)).isFalse();
    assertThat(b.tryReserve(0)).as("no growth is never refused").isTrue();
    assertThat(b.tryReserve(-30)).as("shrinking is never refused").isTrue();
    assertThat(b.usedBytes()).isEqualTo(70);
    b.release(70);
    assertThat(b.usedBytes()).isZero();
    assertThatThrownBy(() -> new TopicStateBudget(0)).hasMessageContaining("topicStateBudgetBytes");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void racingReservationsNeverPassTheLimit() throws Exception {
    TopicStateBudget b = new TopicStateBudget(10_000);
    AtomicLong taken = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < 100_000; i++) {
                  if (b.tryReserve(7)) {
                    taken.addAndGet(7);
                    if (b.usedBytes() > 10_000) {
                      throw new AssertionError("over the limit: " + b.usedBytes());
                    }
                    if (i % 3 == 0) {
                      b.release(7);
                      taken.addAndGet(-7);
                    }
                  }
                }
              }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(b.usedBytes()).isEqualTo(taken.get()).isLessThanOrEqualTo(10_000);
  }
}
