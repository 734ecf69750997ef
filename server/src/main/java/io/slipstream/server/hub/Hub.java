package io.slipstream.server.hub;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.server.topic.ChangeBatch;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fans a topic's change batches out to the connections of one event loop: one event-bus consumer
 * per topic per event loop, however many connections there subscribe.
 *
 * <p>Confined to its event loop (one hub per server verticle instance); every connection it
 * serves lives on the same loop, so delivery is a plain method call.
 *
 * <p>Joining is what makes the snapshot join exact: a subscriber starts reading the topic's state
 * only after {@link #join}'s future completes, i.e. once the consumer is registered. Every batch
 * published after that read is then delivered to it.
 */
public final class Hub {

  /** A connection that receives a topic's batches. */
  public interface Subscriber {
    /** Called on the hub's event loop with one publish's events, in seq order. */
    void onChanges(String topic, List<ChangeEvent> events);
  }

  private static final Subscriber[] NONE = new Subscriber[0];

  private final EventBus eventBus;
  private final Map<String, Channel> channels = new HashMap<>();

  public Hub(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  /**
   * Adds {@code s} to {@code topic}'s subscribers; the future completes once batches published
   * from now on are sure to reach it. Joining twice is harmless.
   */
  public Future<Void> join(String topic, Subscriber s) {
    Channel ch = channels.get(topic);
    if (ch == null) {
      ch = new Channel(topic);
      channels.put(topic, ch);
    }
    ch.add(s);
    return ch.ready;
  }

  /** Removes {@code s}; the topic's consumer is unregistered with its last subscriber. */
  public void leave(String topic, Subscriber s) {
    Channel ch = channels.get(topic);
    if (ch != null && ch.remove(s)) {
      channels.remove(topic);
      ch.consumer.unregister();
    }
  }

  private final class Channel {
    final String topic;
    final MessageConsumer<ChangeBatch> consumer;
    final Future<Void> ready;
    // Copy-on-write: a subscriber may leave while a batch is being delivered.
    Subscriber[] subscribers = NONE;

    Channel(String topic) {
      this.topic = topic;
      this.consumer = eventBus.localConsumer(ChangeBatch.address(topic), m -> deliver(m.body()));
      this.ready = consumer.completion();
    }

    void deliver(ChangeBatch batch) {
      for (Subscriber s : subscribers) {
        s.onChanges(topic, batch.events());
      }
    }

    void add(Subscriber s) {
      for (Subscriber existing : subscribers) {
        if (existing == s) {
          return;
        }
      }
      Subscriber[] next = Arrays.copyOf(subscribers, subscribers.length + 1);
      next[subscribers.length] = s;
      subscribers = next;
    }

    /** Returns true when the channel has become empty. */
    boolean remove(Subscriber s) {
      int at = -1;
      for (int i = 0; i < subscribers.length; i++) {
        if (subscribers[i] == s) {
          at = i;
        }
      }
      if (at >= 0) {
        Subscriber[] next = new Subscriber[subscribers.length - 1];
        System.arraycopy(subscribers, 0, next, 0, at);
        System.arraycopy(subscribers, at + 1, next, at, next.length - at);
        subscribers = next;
      }
      return subscribers.length == 0;
    }
  }
}
