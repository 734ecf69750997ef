package io.slipstream.server.connection;

import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Position;
import io.slipstream.server.hub.Hub;
import io.slipstream.server.metrics.ResumeOutcome;
import io.slipstream.server.protocol.ClientMessage;
import io.slipstream.server.protocol.Outbound;
import io.slipstream.server.topic.TopicRegistry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A connection's subscriptions: starting one (the hub join, then, in a cluster, until the node
 * follows the topic), restarting and ending them, the client's acks and their lag, and live events
 * handed to the buffer through the slow-consumer watch. Each subscription counts on the topic
 * registry entry it was counted by, and leaves that one.
 *
 * <p>Confined to the connection's event loop. Bounded by {@code maxSubscriptions}.
 */
final class Subscriptions implements Hub.Subscriber {

  /** What the connection lends: whether it ended, and how it refuses a bad request. */
  interface Owner {
    boolean closed();

    void fail(ErrorCode code, String message, Object requestId);

    /** Whether the connection's token allows subscribing to {@code topic}. */
    boolean mayRead(String topic);
  }

  private final Map<String, Subscription> byTopic = new HashMap<>();

  /**
   * The last live batch's topic (the hub passes each topic's one String instance) and what {@link
   * #byTopic} said of it, so that a connection's batches of one topic skip the map; reset at every
   * change of the map.
   */
  private String lastTopic;

  private Subscription lastSubscription;
  private final AckLag ackLag = new AckLag();
  private final ConnectionServices services;
  private final Hub hub;
  private final ClientBuffer buffer;
  private final Owner owner;
  private final int maxSubscriptions;
  private WritePump pump;
  private SlowConsumerWatch watch;

  Subscriptions(
      ConnectionServices services,
      Hub hub,
      ClientBuffer buffer,
      Owner owner) {
    this.services = services;
    this.hub = hub;
    this.buffer = buffer;
    this.owner = owner;
    this.maxSubscriptions = services.config().maxSubscriptions();
  }

  /** The pump and the watch, made once the transport is there; before any subscription. */
  void attach(WritePump pump, SlowConsumerWatch watch) {
    this.pump = pump;
    this.watch = watch;
  }

  /**
   * Subscribes every topic of {@code positions} (docs/protocol.md §7), each with its {@code
   * subscribed}, up to maxSubscriptions. A topic the client subscribed itself meanwhile (while the
   * positions were being handed over) keeps the client's subscription.
   */
  void restore(Map<String, Position> positions) {
    if (owner.closed() || positions == null) {
      return;
    }
    for (Map.Entry<String, Position> e : positions.entrySet()) {
      if (byTopic.size() >= maxSubscriptions) {
        return;
      }
      if (!byTopic.containsKey(e.getKey())) {
        start(e.getKey(), null, e.getValue(), true);
      }
    }
  }

  /**
   * Starts (or restarts) a subscription: joins the hub, waits until the topic may be read ({@link
   * TopicRegistry#ready}), then begins catching up from {@code from} (null: snapshot).
   *
   * @param announceReset whether an unusable {@code from} is announced with {@code reset} (resume)
   */
  void start(String topic, Object requestId, Position from, boolean announceReset) {
    if (!owner.mayRead(topic)) {
      String why = "the token does not allow topic " + topic + "; nothing was subscribed";
      if (announceReset) {
        // Restoring (hello.positions, a resumed session): one refusal per topic, not the
        // client's error, so not counted towards the 20-errors budget.
        pump.send(Outbound.error(ErrorCode.FORBIDDEN, why, requestId));
      } else {
        owner.fail(ErrorCode.FORBIDDEN, why, requestId);
      }
      return;
    }
    Subscription existing = byTopic.get(topic);
    if (existing == null && byTopic.size() >= maxSubscriptions) {
      owner.fail(
          ErrorCode.TOO_MANY_SUBSCRIPTIONS,
          "at most " + maxSubscriptions + " subscriptions per connection",
          requestId);
      return;
    }
    TopicRegistry.Entry entry;
    if (existing != null) {
      // Subscribing again restarts the subscription (docs/protocol.md §3), counted as it was.
      entry = existing.entry;
      pump.forget(existing);
      buffer.discardTopic(topic);
    } else {
      TopicRegistry.Entry looked = services.topics().getOrCreate(topic);
      if (looked == null) {
        owner.fail(
            ErrorCode.TOPIC_LIMIT, "the server holds its maximum number of topics", requestId);
        return;
      }
      // The entry that counts us may be a newer one than we looked up (a forget raced us).
      entry = looked.subscribed();
    }
    Subscription s = new Subscription(topic, entry, requestId);
    byTopic.put(topic, s);
    lastTopic = null;
    hub.join(topic, this)
        // In a cluster the topic may first have to be followed (its epoch is the authority's).
        .compose(v -> services.topics().ready(topic))
        .onComplete(
            ar -> {
              if (owner.closed() || byTopic.get(topic) != s) {
                return;
              }
              if (ar.failed()) {
                byTopic.remove(topic);
                lastTopic = null;
                entry.unsubscribed();
                hub.leave(topic, this);
                pump.send(
                    Outbound.error(
                        ErrorCode.INTERNAL,
                        "could not subscribe: " + ar.cause().getMessage(),
                        requestId));
                return;
              }
              s.begin(from, announceReset);
              services.metrics().subscribed(s.replaying());
              if (announceReset && from != null) {
                // A topic restored from a position: replayed, or reset to a new snapshot.
                services
                    .metrics()
                    .resume(s.replaying() ? ResumeOutcome.REPLAY : ResumeOutcome.RESET);
              }
              pump.catchUp(s);
            });
  }

  void unsubscribe(ClientMessage.Unsubscribe m) {
    Subscription s = byTopic.remove(m.topic());
    lastTopic = null;
    if (s == null) {
      owner.fail(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + m.topic(), m.id());
      return;
    }
    end(s);
    pump.send(Outbound.unsubscribed(m.id(), m.topic()));
  }

  void ack(ClientMessage.Ack m) {
    Subscription s = byTopic.get(m.topic());
    if (s == null) {
      owner.fail(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + m.topic(), m.id());
      return;
    }
    s.ack(m.seq());
    ChangeEvent acked = s.entry.topic().log().get(m.seq());
    if (acked != null) {
      // Both instants are wall time: ts is the publish time (docs/protocol.md §4).
      long lag = services.clock().wallMillis() - acked.ts();
      ackLag.record(lag);
      // Once per ack, an inbound message the rate limit bounds: not a per-delivery meter.
      services.metrics().ackLag(lag);
    }
  }

  /**
   * One publish's events of {@code topic}, from the hub, which calls this object itself rather than
   * its connection: one object fewer read per delivery. A connection that closed has ended every
   * subscription ({@link #endAll}), so what the hub still delivers finds none and is dropped.
   */
  @Override
  public void onChanges(String topic, List<ChangeEvent> events) {
    Subscription s;
    if (topic == lastTopic) {
      s = lastSubscription;
    } else {
      s = byTopic.get(topic);
      lastTopic = topic;
      lastSubscription = s;
    }
    if (s == null) {
      return;
    }
    // Whether an event of the batch went straight to the socket, or into the buffer.
    boolean passed = false;
    boolean buffered = false;
    for (int i = 0; i < events.size(); i++) {
      ChangeEvent e = events.get(i);
      Subscription.Live verdict = s.acceptLive(e);
      if (verdict == Subscription.Live.SKIP) {
        continue;
      }
      if (verdict == Subscription.Live.CATCH_UP) {
        pump.catchUpLater(s);
        break;
      }
      if (pump.writeThrough(e)) {
        watch.passedThrough();
        passed = true;
        continue;
      }
      buffered = true;
      if (!watch.offered(buffer.offer(e))) {
        return;
      }
    }
    // The pump first: it ends the turn of what went straight to the socket, and a socket with
    // room takes what was buffered at once, so the watch and the node's budget judge what stays in
    // the buffer (usually nothing, and then no counter shared with the other loops is touched: two
    // atomic adds and three walks of every loop's part per delivery before, about 2 % of a
    // fan-out's event-loop time).
    pump.pump();
    // Only a batch that went through found (and left) the buffer empty; one whose events were all
    // skipped leaves whatever the buffer held to be judged as always.
    if (passed && !buffered) {
      watch.afterPassedBatch();
    } else {
      watch.afterOffers();
    }
  }

  /** Ends every subscription; returns where each would resume, for the session. */
  Map<String, Position> endAll() {
    Map<String, Position> positions = new LinkedHashMap<>();
    for (Subscription s : byTopic.values()) {
      positions.put(s.topic, s.resumePosition());
      end(s);
    }
    byTopic.clear();
    lastTopic = null;
    return positions;
  }

  /** The subscribed topics. */
  List<String> topics() {
    return List.copyOf(byTopic.keySet());
  }

  /** The window of the last acks' lags. */
  AckLag ackLagWindow() {
    return ackLag;
  }

  /** The ack lag percentile {@code p}, ms, or null without acks. */
  Long ackLag(double p) {
    return ackLag.percentile(p);
  }

  /**
   * Reports the snapshot rows streamed since the last report; on the quality tick and at a
   * subscription's end. O(subscriptions), bounded by {@code maxSubscriptions}.
   */
  void reportRows() {
    for (Subscription s : byTopic.values()) {
      reportRows(s);
    }
  }

  private void reportRows(Subscription s) {
    long rows = s.rowsStreamed() - s.rowsReported;
    if (rows > 0) {
      s.rowsReported += rows;
      services.metrics().snapshotRows(rows);
    }
  }

  private void end(Subscription s) {
    reportRows(s);
    pump.forget(s);
    buffer.discardTopic(s.topic);
    hub.leave(s.topic, this);
    // The entry that counted us, not whatever the registry holds under the name now.
    s.entry.unsubscribed();
  }
}
