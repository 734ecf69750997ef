package io.slipstream.cluster.feed;

import io.slipstream.core.spi.Feed;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Topic;
import io.slipstream.core.topic.TopicView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node's {@link Feed} that records, per topic, every reset (with the replica's view right
 * after it: the restored rows) and every committed event, in the order the feed called it.
 * Thread-safe; {@link #awaitSeq} waits on its monitor, woken by each call.
 */
final class RecordingFeed implements Feed {

  /** One call's worth of record: a reset to {@code view}, or one committed event. */
  record Entry(TopicView reset, ChangeEvent event) {

    String epoch() {
      return reset != null ? reset.epoch() : event.epoch();
    }

    long seq() {
      return reset != null ? reset.seq() : event.seq();
    }
  }

  private final Map<String, List<Entry>> entries = new HashMap<>();

  @Override
  public synchronized void committed(Topic replica, List<ChangeEvent> events) {
    List<Entry> list = entries.computeIfAbsent(replica.name(), k -> new ArrayList<>());
    for (ChangeEvent e : events) {
      list.add(new Entry(null, e));
    }
    notifyAll();
  }

  @Override
  public synchronized void reset(Topic replica, String epoch) {
    TopicView v = replica.view();
    if (!v.epoch().equals(epoch)) {
      throw new AssertionError("reset to " + epoch + " but the replica is at " + v.epoch());
    }
    entries.computeIfAbsent(replica.name(), k -> new ArrayList<>()).add(new Entry(v, null));
    notifyAll();
  }

  /** A copy of what the topic got so far. */
  synchronized List<Entry> of(String topic) {
    return new ArrayList<>(entries.getOrDefault(topic, List.of()));
  }

  /** Waits until the topic's latest entry stands at {@code seq} of {@code epoch} or beyond. */
  void awaitSeq(String topic, String epoch, long seq, String node) throws InterruptedException {
    await(topic, last -> last.epoch().equals(epoch) && last.seq() >= seq,
        node + " reaching " + topic + " " + epoch + ":" + seq);
  }

  /** Waits until the topic's latest entry is a reset to an epoch other than {@code epoch}. */
  void awaitResetFrom(String topic, String epoch, String node) throws InterruptedException {
    await(topic, last -> last.reset() != null && !last.epoch().equals(epoch),
        node + " resetting " + topic + " from " + epoch);
  }

  private synchronized void await(String topic, Predicate<Entry> done, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      List<Entry> list = entries.getOrDefault(topic, List.of());
      Entry last = list.isEmpty() ? null : list.get(list.size() - 1);
      if (last != null && done.test(last)) {
        return;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("not within 20 s: " + what + "; the last entry is "
            + (last == null ? "none" : last.epoch() + ":" + last.seq()));
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
