package io.slipstream.server.hub;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.server.topic.ChangeBatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
 *
 * <p>A topic whose last subscriber here left keeps its consumer for {@link #IDLE_MS} (batches meet
 * an empty list): when every client of a loop drops at once and comes back (a network blip, a
 * load balancer's restart), they join a registered consumer instead of unregistering and
 * registering it again, and batches already queued for it are not discarded with a WARNING from
 * Vert.x each ("Discarding message since the consumer is not registered": 15 in one resume-storm
 * run). Bounded: one idle consumer per topic that had a subscriber on this loop within {@code
 * IDLE_MS}, and the node's topics are bounded by its topic-state budget.
 */
public final class Hub {

  /** How long a topic's consumer stays registered after its last subscriber here left, ms. */
  public static final long IDLE_MS = 30_000;

  /** A connection that receives a topic's batches. */
  public interface Subscriber {
    /** Called on the hub's event loop with one publish's events, in seq order. */
    void onChanges(String topic, List<ChangeEvent> events);
  }

  private static final Subscriber[] NONE = new Subscriber[0];

  private final Vertx vertx;
  private final long idleMs;
  private final Map<String, Channel> channels = new HashMap<>();

  /** A hub on the calling verticle's event loop, idle consumers kept {@link #IDLE_MS}. */
  public Hub(Vertx vertx) {
    this(vertx, IDLE_MS);
  }

  /** As {@link #Hub(Vertx)}, an idle topic's consumer kept {@code idleMs}. */
  Hub(Vertx vertx, long idleMs) {
    if (idleMs < 1) {
      throw new IllegalArgumentException("idleMs must be at least 1, was " + idleMs);
    }
    this.vertx = vertx;
    this.idleMs = idleMs;
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
    } else if (ch.idleTimer >= 0) {
      vertx.cancelTimer(ch.idleTimer);
      ch.idleTimer = -1;
    }
    ch.add(s);
    return ch.ready;
  }

  /**
   * Removes {@code s}; the topic's consumer is unregistered {@code idleMs} after its last
   * subscriber left, unless one joined meanwhile.
   */
  public void leave(String topic, Subscriber s) {
    Channel ch = channels.get(topic);
    if (ch != null && ch.remove(s)) {
      // A join cancels it; both run on this loop, so it fires only on a channel still empty.
      ch.idleTimer =
          vertx.setTimer(
              idleMs,
              t -> {
                ch.idleTimer = -1;
                channels.remove(topic, ch);
                ch.consumer.unregister();
              });
    }
  }

  /** Topics with a registered consumer on this loop, idle ones included. */
  int topics() {
    return channels.size();
  }

  private final class Channel {
    final String topic;
    final MessageConsumer<ChangeBatch> consumer;
    final Future<Void> ready;
    // Copy-on-write: a subscriber may leave while a batch is being delivered.
    Subscriber[] subscribers = NONE;
    /** The timer that unregisters the consumer of an empty channel; -1 while it has subscribers. */
    long idleTimer = -1;

    Channel(String topic) {
      this.topic = topic;
      this.consumer =
          vertx.eventBus().localConsumer(ChangeBatch.address(topic), m -> deliver(m.body()));
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
