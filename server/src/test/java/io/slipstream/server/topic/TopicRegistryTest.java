package io.slipstream.server.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.spi.Sequencer;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TopicRegistry} forgetting subscribe-only topics (bug 4), and the race that forgetting
 * opens: a connection looks an entry up, the topic's sequencer forgets it, then the connection
 * counts itself. It must end up on the topic that publishes reach, never on a forgotten one.
 */
class TopicRegistryTest {

  /** Records idle topics; the test runs the forget checks itself, as the sequencer would. */
  private static final class RecordingSequencer implements Sequencer {
    final ConcurrentLinkedQueue<String> idle = new ConcurrentLinkedQueue<>();

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
      idle.add(topic);
    }
  }

  private static TopicRegistry registry(int maxTopics, RecordingSequencer s) {
    TopicRegistry r = new TopicRegistry(maxTopics, 100, 1 << 20);
    r.attach(s);
    return r;
  }

  private static void publish(Topic t) {
    t.apply(List.of(new ChangeRequest(ChangeOp.INSERT, "a", "{}")), 1);
  }

  @Test
  void theLastSubscriberLeavingAnUnpublishedTopicLetsItBeForgotten() {
    RecordingSequencer s = new RecordingSequencer();
    TopicRegistry r = registry(2, s);
    TopicRegistry.Entry a = r.getOrCreate("a");
    a.subscribed();
    a.subscribed();
    a.unsubscribed();
    assertThat(s.idle).isEmpty();
    a.unsubscribed();
    assertThat(s.idle).containsExactly("a");
    r.forgetIfIdle("a");
    assertThat(r.get("a")).isNull();
    assertThat(r.size()).isZero();
    // maxTopics is given back: two new topics fit.
    assertThat(r.getOrCreate("b")).isNotNull();
    assertThat(r.getOrCreate("c")).isNotNull();
    assertThat(r.getOrCreate("d")).as("the limit still holds").isNull();
  }

  @Test
  void publishedOrSubscribedTopicsAreNotForgotten() {
    RecordingSequencer s = new RecordingSequencer();
    TopicRegistry r = registry(10, s);
    TopicRegistry.Entry a = r.getOrCreate("a");
    a.subscribed();
    r.forgetIfIdle("a");
    assertThat(r.get("a")).as("still subscribed").isSameAs(a);
    publish(a.topic());
    a.unsubscribed();
    assertThat(s.idle).as("a published topic is not even checked").isEmpty();
    r.forgetIfIdle("a");
    assertThat(r.get("a")).isSameAs(a);
    a.unsubscribed();
    assertThat(a.subscribers()).as("never below zero").isZero();
  }

  @Test
  void aSubscriberThatRacedTheForgetPutsTheTopicBack() {
    TopicRegistry r = registry(10, new RecordingSequencer());
    TopicRegistry.Entry looked = r.getOrCreate("a");
    r.forgetIfIdle("a");
    assertThat(r.get("a")).isNull();
    looked.subscribed();
    assertThat(r.get("a")).isSameAs(looked);
    assertThat(looked.subscribers()).isEqualTo(1);
    assertThat(r.find("a")).isSameAs(looked.topic());
  }

  @Test
  void aSubscriberThatRacedTheForgetAndAPublishMovesToTheNewTopic() {
    TopicRegistry r = registry(10, new RecordingSequencer());
    TopicRegistry.Entry looked = r.getOrCreate("a");
    Topic old = looked.topic();
    r.forgetIfIdle("a");
    Topic created = r.open("a");
    publish(created);
    TopicRegistry.Entry counted = looked.subscribed();
    assertThat(counted).as("the entry that counts us").isSameAs(r.get("a")).isNotSameAs(looked);
    assertThat(looked.topic()).as("the topic publishes reach").isSameAs(created).isNotSameAs(old);
    assertThat(counted.subscribers()).isEqualTo(1);
    counted.unsubscribed();
    assertThat(looked.subscribers()).isZero();
    // A forgotten entry counts on the new one when it is handed back too.
    assertThat(looked.subscribed()).isSameAs(counted);
    assertThat(counted.subscribers()).isEqualTo(1);
    looked.unsubscribed();
    assertThat(counted.subscribers()).as("a forgotten entry counts nothing").isEqualTo(1);
    counted.unsubscribed();
    assertThat(counted.subscribers()).isZero();
  }

  /**
   * Subscribers on two threads against forgets and publishes on a third (the sequencer): every
   * subscriber, while it holds its subscription, holds the very topic the registry publishes to.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void racingSubscribersAlwaysHoldTheTopicPublishesReach() throws Exception {
    RecordingSequencer s = new RecordingSequencer();
    TopicRegistry r = registry(1_000, s);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    String[] names = {"x", "y", "z"};
    Thread sequencer =
        new Thread(
            () -> {
              try {
                start.await();
                int i = 0;
                while (!done.get()) {
                  String idle = s.idle.poll();
                  if (idle != null) {
                    r.forgetIfIdle(idle);
                  }
                  // Now and then a publish creates (or reuses) a topic, as the sequencer would.
                  if (++i % 97 == 0) {
                    r.open(names[i % names.length]);
                  }
                  // An unpublished topic with nobody on it is asked about again and again.
                  for (String n : names) {
                    if (i % 5 == 0) {
                      r.forgetIfIdle(n);
                    }
                  }
                }
              } catch (Throwable t) {
                failure.compareAndSet(null, t);
              }
            },
            "sequencer");
    List<Thread> subscribers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int seed = t;
      subscribers.add(
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < 200_000 && failure.get() == null; i++) {
                    String name = names[(i + seed) % names.length];
                    TopicRegistry.Entry e = r.getOrCreate(name).subscribed();
                    Topic held = e.topic();
                    Topic current = r.find(name);
                    if (held != current || r.get(name) != e) {
                      throw new AssertionError("holds " + held + " but publishes reach " + current);
                    }
                    e.unsubscribed();
                  }
                } catch (Throwable th) {
                  failure.compareAndSet(null, th);
                }
              },
              "subscriber-" + t));
    }
    sequencer.start();
    subscribers.forEach(Thread::start);
    start.countDown();
    for (Thread t : subscribers) {
      t.join(TimeUnit.SECONDS.toMillis(50));
    }
    done.set(true);
    sequencer.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(failure.get()).isNull();
    for (String n : names) {
      TopicRegistry.Entry e = r.get(n);
      if (e != null) {
        assertThat(e.subscribers()).isZero();
      }
    }
  }
}
