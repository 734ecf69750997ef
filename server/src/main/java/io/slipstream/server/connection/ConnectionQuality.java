package io.slipstream.server.connection;

import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.server.config.QualityThresholds;
import io.slipstream.server.eventbus.Lifecycle.Event;
import io.slipstream.server.protocol.LifecycleJson.Figures;

/**
 * One connection's {@link Quality}: measures what shows a client falling behind before any buffer
 * threshold (the growth of its pending events, events offered and sent per second, the ack-lag
 * p50/p99 of its last acks, how long its socket has taken no bytes), and publishes the {@code
 * lagging} and {@code healthy} transitions on {@code slipstream.lifecycle} with the figures that
 * caused them (docs/protocol.md §11). The slow-consumer watch publishes {@code warned}, {@code
 * dropping} and {@code slow} at the moment they happen, through {@link #publish}, with the same
 * figures.
 *
 * <p>Confined to its connection's event loop. No timer of its own and nothing allocated per event:
 * its loop's {@link QualityTicks} calls {@link #tick} every {@code quality.tickMs}, which reads a
 * few counters the connection keeps anyway; a figure object is built only for an event.
 */
final class ConnectionQuality {

  /** Publishes a lifecycle event of the connection with its reason and figures. */
  interface Events {
    void publish(Event event, String reason, Figures figures);
  }

  private static final int NOT_LAGGING = 0;
  private static final int GROWING = 1;
  private static final int ACK_LAG = 2;
  private static final int STALLED = 3;

  private final QualityThresholds thresholds;
  private final ClientBuffer buffer;
  private final SlowConsumerWatch watch;
  private final Outbox out;
  private final WritePump pump;
  private final AckLag ackLag;
  private final Events events;
  private final Runnable onTick;

  /** The index in its loop's list, kept by {@link QualityTicks}; -1 while not registered. */
  int slot = -1;

  private long tickAt;
  private long lastPending;
  private long lastOffered;
  private long lastSent;

  /** Since when, in clock millis, pending has grown tick over tick; -1 while it does not. */
  private long growingSince = -1;

  private double growthPerSec;
  private double offeredPerSec;
  private double sentPerSec;

  /** The quality last published (or the start's {@code healthy}). */
  private Quality published = Quality.HEALTHY;

  ConnectionQuality(
      QualityThresholds thresholds,
      long now,
      ClientBuffer buffer,
      SlowConsumerWatch watch,
      Outbox out,
      WritePump pump,
      AckLag ackLag,
      Events events,
      Runnable onTick) {
    this.onTick = onTick;
    this.thresholds = thresholds;
    this.tickAt = now;
    this.buffer = buffer;
    this.watch = watch;
    this.out = out;
    this.pump = pump;
    this.ackLag = ackLag;
    this.events = events;
  }

  /**
   * Takes this tick's figures, publishes a {@code lagging} or {@code healthy} transition, and runs
   * the connection's own once-a-tick reports.
   *
   * @return the quality now
   */
  Quality tick(long now) {
    long dt = now - tickAt;
    if (dt <= 0) {
      return current(now);
    }
    onTick.run();
    long pending = pending();
    if (pending > lastPending) {
      if (growingSince < 0) {
        growingSince = tickAt;
      }
    } else if (pending < lastPending || pending == 0) {
      growingSince = -1;
    }
    // A full buffer that stays full keeps "growing": it stopped only because it cannot grow more.
    growthPerSec = (pending - lastPending) * 1000.0 / dt;
    long offered = watch.offeredEvents();
    long sent = out.sent();
    offeredPerSec = (offered - lastOffered) * 1000.0 / dt;
    sentPerSec = (sent - lastSent) * 1000.0 / dt;
    lastPending = pending;
    lastOffered = offered;
    lastSent = sent;
    tickAt = now;
    Quality q = current(now);
    // warned, dropping and slow are the watch's to publish, when they happen.
    if (q != published && (q == Quality.HEALTHY || q == Quality.LAGGING)) {
      publish(q == Quality.HEALTHY ? Event.HEALTHY : Event.LAGGING, reason(q, now), now);
    }
    return q;
  }

  /** The quality now; on the figures of the last tick for what needs a rate. */
  Quality current(long now) {
    if (buffer.overDisconnectSince() >= 0) {
      return Quality.SLOW;
    }
    if (watch.dropping()) {
      return Quality.DROPPING;
    }
    if (buffer.fill() >= buffer.limits().warn()) {
      return Quality.WARNED;
    }
    return lagging(now) != NOT_LAGGING ? Quality.LAGGING : Quality.HEALTHY;
  }

  private int lagging(long now) {
    if (growingSince >= 0 && now - growingSince >= thresholds.growthMs()) {
      return GROWING;
    }
    if (ackLag.quantileOver(0.99, thresholds.ackLagMs())) {
      return ACK_LAG;
    }
    if (stalledMs(now) >= thresholds.stallMs()) {
      return STALLED;
    }
    return NOT_LAGGING;
  }

  /** Publishes {@code event} with the figures now; the quality it names is the published one. */
  void publish(Event event, String reason, long now) {
    Quality q = Quality.byWireName(event.wireName());
    if (q != null) {
      published = q;
    }
    events.publish(event, reason, figures(now));
  }

  private String reason(Quality q, long now) {
    if (q == Quality.HEALTHY) {
      return "keeping up";
    }
    switch (lagging(now)) {
      case GROWING:
        return "pending events grew for " + (now - growingSince) + " ms";
      case ACK_LAG:
        return "ack-lag p99 over " + thresholds.ackLagMs() + " ms";
      default:
        return "socket took no bytes for " + stalledMs(now) + " ms";
    }
  }

  /** How long the socket has taken no bytes while frames waited, ms; 0 while it takes them. */
  long stalledMs(long now) {
    long since = pump.drainAwaitedSince();
    return since < 0 ? 0 : Math.max(0, now - since);
  }

  /** Events waiting: the buffer's, and the changes catch-ups lag by (both count to the fill). */
  private long pending() {
    return buffer.pending() + buffer.behind();
  }

  /** The buffer's fill now, 0..1. */
  double fill() {
    return buffer.fill();
  }

  /** Messages written per second over the last tick. */
  double sentPerSec() {
    return sentPerSec;
  }

  /** The figures now, for an event or a description. */
  Figures figures(long now) {
    return new Figures(
        buffer.fill(),
        pending(),
        growthPerSec,
        offeredPerSec,
        sentPerSec,
        ackLag.percentile(0.5),
        ackLag.percentile(0.99),
        stalledMs(now));
  }
}
