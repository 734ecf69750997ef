package io.slipstream.server.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.spi.Sequencer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TopicRegistry}'s subscriber counts under concurrent subscribe, unsubscribe and forget.
 *
 * <p>Connections (threads) hold several subscriptions at once, for a random while, and leave in a
 * random order, each on the entry that counted it; a sequencer thread runs every forget check the
 * registry asks for, plus unasked ones. The guarantees, checked while running and at the end:
 *
 * <ul>
 *   <li>a held subscription's entry is the registry's entry for its name (never forgotten while
 *       held), so its topic is the one publishes reach;
 *   <li>once everyone has left, every entry counts nobody, and once the checks ran nothing is left
 *       and {@code maxTopics} is free again (no count and no reservation leaked).
 * </ul>
 */
class TopicRegistryCountingStressTest {

  private static final String[] NAMES = {"a", "b", "c", "d"};
  private static final int MAX_TOPICS = 64;

  /** Runs forget checks on its own thread, like a sequencer shard; at most one queued per name. */
  private static final class ForgettingSequencer implements Sequencer {
    final ConcurrentHashMap<String, Boolean> asked = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<PublishOutcome> publish(Publish publish) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<DeleteOutcome> delete(String topic, long deadline) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void idle(String topic) {
      asked.put(topic, Boolean.TRUE);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void countsMatchTheHeldSubscriptionsUnderConcurrentSubscribeUnsubscribeAndForget()
      throws Exception {
    long seed = System.nanoTime();
    System.out.println("TopicRegistryCountingStressTest seed " + seed);
    ForgettingSequencer s = new ForgettingSequencer();
    TopicRegistry r = new TopicRegistry(MAX_TOPICS, 100, 1 << 20);
    r.attach(s);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    Thread sequencer =
        new Thread(
            () -> {
              SplittableRandom random = new SplittableRandom(seed);
              try {
                start.await();
                while (!done.get()) {
                  for (String n : s.asked.keySet()) {
                    s.asked.remove(n);
                    r.forgetIfIdle(n);
                  }
                  // Unasked checks too: a check may find someone between lookup and count.
                  r.forgetIfIdle(NAMES[random.nextInt(NAMES.length)]);
                }
              } catch (Throwable t) {
                failure.compareAndSet(null, t);
              }
            },
            "sequencer");
    int threads = 4;
    List<Thread> connections = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int me = t;
      connections.add(
          new Thread(
              () -> {
                SplittableRandom random = new SplittableRandom(seed + 1 + me);
                List<TopicRegistry.Entry> mine = new ArrayList<>();
                List<Integer> names = new ArrayList<>();
                try {
                  start.await();
                  for (int i = 0; i < 100_000 && failure.get() == null; i++) {
                    if (mine.size() < 6 && random.nextInt(3) != 0) {
                      int n = random.nextInt(NAMES.length);
                      TopicRegistry.Entry looked = r.getOrCreate(NAMES[n]);
                      mine.add(looked.subscribed());
                      names.add(n);
                    } else if (!mine.isEmpty()) {
                      int at = random.nextInt(mine.size());
                      TopicRegistry.Entry e = mine.remove(at);
                      names.remove(at);
                      e.unsubscribed();
                    }
                    for (int k = 0; k < mine.size(); k++) {
                      TopicRegistry.Entry e = mine.get(k);
                      String name = NAMES[names.get(k)];
                      if (r.get(name) != e || r.find(name) != e.topic()) {
                        throw new AssertionError(
                            "a held subscription of " + name + " is on a forgotten entry");
                      }
                    }
                  }
                  // Leave everything still held.
                  mine.forEach(TopicRegistry.Entry::unsubscribed);
                } catch (Throwable th) {
                  failure.compareAndSet(null, th);
                }
              },
              "connection-" + t));
    }
    sequencer.start();
    connections.forEach(Thread::start);
    start.countDown();
    for (Thread t : connections) {
      t.join(TimeUnit.SECONDS.toMillis(50));
    }
    done.set(true);
    sequencer.join(TimeUnit.SECONDS.toMillis(5));
    assertThat(failure.get()).as("seed %d", seed).isNull();
    for (String n : NAMES) {
      TopicRegistry.Entry e = r.get(n);
      if (e != null) {
        assertThat(e.subscribers()).as("%s counts nobody (seed %d)", n, seed).isZero();
      }
    }
    // Every check the last leavers asked for, as the sequencer would run them.
    for (String n : s.asked.keySet()) {
      r.forgetIfIdle(n);
    }
    assertThat(r.size()).as("topics left (seed %d)", seed).isZero();
    for (int i = 0; i < MAX_TOPICS; i++) {
      assertThat(r.getOrCreate("fresh" + i)).as("maxTopics free again (seed %d)", seed).isNotNull();
    }
    assertThat(r.getOrCreate("one-too-many")).isNull();
  }
}
