package io.slipstream.core.replay;

import static io.slipstream.core.replay.Events.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ReplayLog} at and around its capacity and byte boundaries, growing on demand, and under a
 * racing writer.
 */
class ReplayLogTest {

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new ReplayLog<>(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replayLogSize");
    assertThatThrownBy(() -> new ReplayLog<>(-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replayLogSize");
    assertThat(new ReplayLog<>(1).capacity()).isEqualTo(1);
    assertThat(ReplayLog.DEFAULT_CAPACITY).isEqualTo(100_000);
  }

  @Test
  void emptyLogCoversOnlySeqZero() {
    ReplayLog<ChangeEvent> log = new ReplayLog<>(4);
    assertThat(log.lastSeq()).isZero();
    assertThat(log.firstSeq()).isEqualTo(1);
    assertThat(log.covers(0)).isTrue();
    assertThat(log.covers(1)).isFalse();
    assertThat(log.covers(-1)).isFalse();
    assertThat(log.get(0)).isNull();
    assertThat(log.get(1)).isNull();
    assertThat(log.get(-1)).isNull();
  }

  @Test
  void capacityOneKeepsOnlyTheNewest() {
    ReplayLog<ChangeEvent> log = new ReplayLog<>(1);
    ChangeEvent e1 = event(1);
    log.append(e1);
    assertThat(log.get(1)).isSameAs(e1);
    assertThat(log.firstSeq()).isEqualTo(1);
    assertThat(log.covers(0)).isTrue();
    assertThat(log.covers(1)).isTrue();
    assertThat(log.covers(2)).isFalse();

    ChangeEvent e2 = event(2);
    log.append(e2);
    assertThat(log.get(1)).isNull();
    assertThat(log.get(2)).isSameAs(e2);
    assertThat(log.firstSeq()).isEqualTo(2);
    assertThat(log.lastSeq()).isEqualTo(2);
    assertThat(log.covers(0)).as("seq 1 is gone, so a client at 0 cannot catch up").isFalse();
    assertThat(log.covers(1)).as("a client at 1 needs only seq 2").isTrue();
    assertThat(log.covers(2)).as("a client at the head needs nothing").isTrue();
    assertThat(log.covers(3)).isFalse();
  }

  @Test
  void windowSlidesExactlyAtCapacity() {
    int cap = 4;
    ReplayLog<ChangeEvent> log = new ReplayLog<>(cap);
    List<ChangeEvent> all = new ArrayList<>();
    for (long s = 1; s <= cap; s++) {
      all.add(event(s));
      log.append(all.get((int) s - 1));
    }
    // Full, nothing overwritten yet.
    assertThat(log.firstSeq()).isEqualTo(1);
    assertThat(log.covers(0)).isTrue();
    for (long s = 1; s <= cap; s++) {
      assertThat(log.get(s)).isSameAs(all.get((int) s - 1));
    }
    // One more: seq 1 is overwritten, the slot now holds seq 5.
    ChangeEvent e5 = event(cap + 1);
    log.append(e5);
    assertThat(log.get(1)).isNull();
    assertThat(log.get(cap + 1)).isSameAs(e5);
    assertThat(log.get(2)).isSameAs(all.get(1));
    assertThat(log.firstSeq()).isEqualTo(2);
    assertThat(log.covers(0)).isFalse();
    assertThat(log.covers(1)).isTrue();
    assertThat(log.covers(cap + 1)).isTrue();
    assertThat(log.covers(cap + 2)).isFalse();
    assertThat(log.get(cap + 2)).isNull();
  }

  @Test
  void outOfOrderAppendThrowsAndChangesNothing() {
    ReplayLog<ChangeEvent> log = new ReplayLog<>(3);
    assertThatThrownBy(() -> log.append(event(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected seq 1")
        .hasMessageContaining("got 2");
    assertThatThrownBy(() -> log.append(event(0))).isInstanceOf(IllegalStateException.class);
    ChangeEvent e1 = event(1);
    log.append(e1);
    assertThatThrownBy(() -> log.append(event(1)))
        .as("a repeated seq")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected seq 2");
    assertThatThrownBy(() -> log.append(event(5))).isInstanceOf(IllegalStateException.class);
    assertThat(log.lastSeq()).isEqualTo(1);
    assertThat(log.get(1)).isSameAs(e1);
    assertThat(log.get(2)).isNull();
  }

  /**
   * The guarantee readers rely on: a seq asked for is answered with that seq's event or null, never
   * another event, while one writer laps a small ring many times.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void readersNeverSeeAnotherSeqWhileTheWriterLapsTheRing() throws Exception {
    int capacity = 64;
    long events = 1_000_000;
    ReplayLog<ChangeEvent> log = new ReplayLog<>(capacity);
    long hits =
        race(
            () -> {
              for (long s = 1; s <= events; s++) {
                log.append(event(s));
              }
            },
            random -> {
              long last = log.lastSeq();
              // Around the window: just overwritten, inside, the head, and a little ahead.
              long seq = last - capacity - 8 + random.nextInt(capacity + 16);
              ChangeEvent e = log.get(seq);
              if (e != null && (e.seq() != seq || !e.key().equals(Long.toString(seq)))) {
                throw new AssertionError("asked for seq " + seq + ", got " + e);
              }
              return e != null;
            });
    assertThat(log.lastSeq()).isEqualTo(events);
    assertThat(hits).as("the readers really read events").isPositive();
    // After the race, the window is exactly the newest `capacity` events.
    for (long s = events - capacity + 1; s <= events; s++) {
      assertThat(log.get(s).seq()).isEqualTo(s);
    }
    assertThat(log.get(events - capacity)).isNull();
  }

  /**
   * Regression (bug 4): every topic allocated its whole {@code replayLogSize} ring (100,000 slots,
   * ~400 KB) before holding anything, so subscribing to many new names exhausted the heap. The ring
   * now starts at {@value ReplayLog#INITIAL_SLOTS} slots and doubles only as events arrive.
   */
  @Test
  void theRingGrowsOnDemandUpToItsCapacity() {
    ReplayLog<ChangeEvent> log = new ReplayLog<>(ReplayLog.DEFAULT_CAPACITY);
    assertThat(log.slotCount()).isEqualTo(ReplayLog.INITIAL_SLOTS);
    assertThat(log.footprint()).isEqualTo(ReplayLog.INITIAL_SLOTS * ReplayLog.SLOT_BYTES);
    for (long s = 1; s <= 16; s++) {
      log.append(event(s));
    }
    assertThat(log.slotCount()).as("full, not yet grown").isEqualTo(16);
    log.append(event(17));
    assertThat(log.slotCount()).isEqualTo(32);
    for (long s = 18; s <= 1000; s++) {
      log.append(event(s));
    }
    assertThat(log.slotCount()).isEqualTo(1024);
    for (long s = 1; s <= 1000; s++) {
      assertThat(log.get(s).seq()).as("every seq survives the copies").isEqualTo(s);
    }
    log.checkInvariants();

    ReplayLog<ChangeEvent> small = new ReplayLog<>(20);
    for (long s = 1; s <= 100; s++) {
      small.append(event(s));
    }
    assertThat(small.slotCount()).as("never past the capacity").isEqualTo(20);
    assertThat(small.firstSeq()).isEqualTo(81);
    small.checkInvariants();
  }

  @Test
  void theByteBoundEvictsTheOldestAndCoversFollows() {
    ReplayLog<Sized> log = new ReplayLog<>(100, 10, Sized::size);
    log.append(new Sized(1, 4));
    log.append(new Sized(2, 4));
    assertThat(log.covers(0)).isTrue();
    log.append(new Sized(3, 4));
    assertThat(log.bytes()).isEqualTo(8);
    assertThat(log.firstSeq()).isEqualTo(2);
    assertThat(log.get(1)).as("evicted: its slot is cleared").isNull();
    assertThat(log.covers(0)).isFalse();
    assertThat(log.covers(1)).isTrue();
    log.append(new Sized(4, 10));
    assertThat(log.firstSeq()).as("one event of the whole bound").isEqualTo(4);
    assertThat(log.covers(3)).isTrue();
    assertThat(log.covers(2)).isFalse();
    log.append(new Sized(5, 0));
    assertThat(log.firstSeq()).isEqualTo(4);
    log.checkInvariants();
  }

  @Test
  void anEventOverTheWholeBoundIsNotKeptAndTheLogStaysGapFree() {
    ReplayLog<Sized> log = new ReplayLog<>(100, 10, Sized::size);
    log.append(new Sized(1, 3));
    log.append(new Sized(2, 11));
    assertThat(log.lastSeq()).isEqualTo(2);
    assertThat(log.firstSeq()).isEqualTo(3);
    assertThat(log.size()).isZero();
    assertThat(log.bytes()).isZero();
    assertThat(log.get(2)).isNull();
    assertThat(log.covers(2)).as("a subscriber at the head needs nothing").isTrue();
    assertThat(log.covers(1)).isFalse();
    log.append(new Sized(3, 5));
    assertThat(log.get(3).size()).isEqualTo(5);
    assertThat(log.covers(2)).isTrue();
    log.checkInvariants();
  }

  @Test
  void boundsMustBePositive() {
    assertThatThrownBy(() -> new ReplayLog<Sized>(4, 0, Sized::size))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replayLogBytes");
  }

  /**
   * The lock-free read guarantee while the ring grows and the byte bound evicts: a seq asked for is
   * answered with that seq's own item or null, never another, while one writer starts fresh logs
   * (each growing from 16 slots) and fills them with items of varying size.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void readersNeverSeeAnotherSeqWhileTheRingGrowsAndEvictsByBytes() throws Exception {
    AtomicReference<ReplayLog<Sized>> current = new AtomicReference<>();
    long hits =
        race(
            () -> {
              SplittableRandom random = new SplittableRandom(7);
              for (int r = 0; r < 60; r++) {
                ReplayLog<Sized> log =
                    new ReplayLog<>(2048, 2_000 + random.nextInt(40_000), Sized::size);
                current.set(log);
                for (long s = 1; s <= 20_000; s++) {
                  log.append(new Sized(s, sizeOf(s)));
                }
                log.checkInvariants();
              }
            },
            random -> {
              ReplayLog<Sized> log = current.get();
              if (log == null) {
                return false;
              }
              long seq = log.lastSeq() - 2100 + random.nextInt(2110);
              Sized e = log.get(seq);
              if (e != null && (e.seq() != seq || e.size() != sizeOf(seq))) {
                throw new AssertionError("asked for seq " + seq + ", got " + e);
              }
              return e != null;
            });
    assertThat(hits).as("the readers really read items").isPositive();
  }

  /** One read of a racing reader: whether it found an item; it throws on a wrong one. */
  private interface Read {
    boolean read(SplittableRandom random);
  }

  /**
   * Runs {@code writer} on one thread against two threads doing {@code read} until the writer is
   * done (bounded: at most 50 million reads each), and fails on anything either threw.
   *
   * @return the reads that found an item
   */
  private static long race(Runnable writer, Read read) throws InterruptedException {
    AtomicBoolean writerDone = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong hits = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    threads.add(
        new Thread(
            () -> {
              try {
                start.await();
                writer.run();
              } catch (Throwable t) {
                failure.compareAndSet(null, t);
              } finally {
                writerDone.set(true);
              }
            },
            "replay-writer"));
    for (int r = 0; r < 2; r++) {
      long seed = r;
      threads.add(
          new Thread(
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                try {
                  start.await();
                  for (long i = 0; i < 50_000_000L && !writerDone.get(); i++) {
                    if (read.read(random)) {
                      hits.incrementAndGet();
                    }
                  }
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                }
              },
              "replay-reader-" + r));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(50));
    }
    assertThat(failure.get()).isNull();
    assertThat(threads.get(0).isAlive()).as("the writer finished").isFalse();
    return hits.get();
  }

  private static long sizeOf(long seq) {
    return (seq * 2_654_435_761L >>> 7) % 64;
  }
}
