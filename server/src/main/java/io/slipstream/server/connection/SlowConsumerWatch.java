package io.slipstream.server.connection;

import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.buffer.OfferOutcome;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.slipstream.server.eventbus.Lifecycle.Event;
import io.slipstream.server.metrics.Metrics;
import io.slipstream.server.protocol.Outbound;
import io.vertx.core.Vertx;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Watches one connection's buffer for a slow consumer (docs/protocol.md §6): one {@code warning}
 * per upward crossing of {@code warn}, the {@code dropping} state while the buffer drops, and the
 * {@code sustainMs} timer that closes 4001 once the fill stayed at or above {@code disconnect};
 * each with its lifecycle event.
 *
 * <p>It also keeps the connection within its share of the node's {@code buffer.budgetBytes} ({@link
 * BufferBudget}): after each batch of offers, a buffer above the node's level sheds its oldest
 * events down to it ({@code dropped} reason {@code budget}), and one found above the level for
 * {@code sustainMs} is closed 4001. Each batch of events judges that condition, and a timer judges
 * it where no batch comes: a client whose topics fell silent while it was over its share is still
 * closed after {@code sustainMs} if it reads nothing ({@link BufferBudget.Share#checkSustained}).
 *
 * <p>Confined to its connection's event loop. At most two timers: the sustain timer, armed only
 * while the fill is at or above {@code disconnect}, and the budget timer, armed only while the
 * buffer is over its budget share. Both measure on the injected clock's monotonic
 * {@link Clock#millis()}, so a wall-clock step neither cuts {@code sustainMs} short nor stretches
 * it.
 */
final class SlowConsumerWatch {

  private static final DropReason[] REASONS = DropReason.values();

  private final Vertx vertx;
  private final Clock clock;
  private final ClientBuffer buffer;

  /** The class's {@code sustainMs}; changed by {@link #sustainMs(long)}. */
  private long sustainMs;

  private final Metrics metrics;
  private final BiConsumer<Event, String> events;
  private final Consumer<byte[]> warn;
  private final Runnable closeSlow;
  private final BufferBudget.Share budget;

  private boolean dropping;

  /** The buffer's bytes as last published to the budget's share. */
  private long budgetPublished;

  /** Whether the last batch judged by the budget found this buffer over its share. */
  private boolean budgetOver;

  /** Live events for the connection since it opened (buffered or passed through), for its rate. */
  private long offered;

  private long sustainTimer = -1;
  private long budgetTimer = -1;
  private long droppedReported;

  /** What {@link #afterOffers} reported of each drop reason so far. */
  private final long[] droppedReportedBy = new long[REASONS.length];

  /** What {@link #afterOffers} reported of the buffer's conflated events so far. */
  private long conflatedReported;

  private boolean stopped;

  /**
   * @param events publishes a lifecycle event of this connection, with its reason (may be null)
   * @param warn sends a {@code warning} past everything queued
   * @param closeSlow closes the connection with 4001
   * @param budget the node's buffer budget, which this watch joins with {@code buffer}
   */
  SlowConsumerWatch(
      Vertx vertx,
      Clock clock,
      ClientBuffer buffer,
      long sustainMs,
      Metrics metrics,
      BiConsumer<Event, String> events,
      Consumer<byte[]> warn,
      Runnable closeSlow,
      BufferBudget budget) {
    this.vertx = vertx;
    this.clock = clock;
    this.buffer = buffer;
    this.sustainMs = sustainMs;
    this.metrics = metrics;
    this.events = events;
    this.warn = warn;
    this.closeSlow = closeSlow;
    this.budget = budget.join(buffer);
  }

  /**
   * Reacts to one {@link ClientBuffer#offer}: a refused event closes 4001 at once (under the {@code
   * disconnect} policy a full buffer refuses; under a drop policy only a buffer so full of markers
   * that no drop could be recorded within its bounds does); the first drop starts the dropping
   * state; a crossing of {@code warn} sends its one {@code warning}.
   *
   * @return false when the connection was closed
   */
  boolean offered(OfferOutcome outcome) {
    offered++;
    if (outcome == OfferOutcome.DISCONNECT) {
      events.accept(
          Event.SLOW,
          buffer.limits().policy() == DropPolicy.DISCONNECT
              ? "buffer full under the disconnect policy"
              : "buffer full of drop markers: no further drop fits its bounds");
      closeSlow.run();
      return false;
    }
    if (outcome == OfferOutcome.DROPPED && !dropping) {
      dropping = true;
      events.accept(Event.DROPPING, "buffer full");
    }
    warnOnCrossing();
    return true;
  }

  /**
   * A live event went straight to the socket ({@link WritePump#writeThrough}): offered, for the
   * rate, but never in the buffer, so no threshold moved.
   */
  void passedThrough() {
    offered++;
  }

  /**
   * Hears how many changes the subscriptions still catching up lag their topics by: they count
   * toward the fill ({@link ClientBuffer#behind(long)}), so a client that stops reading
   * mid-catch-up is warned and, {@code sustainMs} at or above {@code disconnect} later, closed 4001
   * like one whose buffer filled (docs/protocol.md §6). Never a drop, and never an immediate close:
   * the changes are in the replay log, not in the buffer.
   */
  void behind(long lag) {
    if (stopped || lag == buffer.behind()) {
      return;
    }
    buffer.behind(lag);
    warnOnCrossing();
    armIfOverDisconnect();
  }

  /** Sends the one {@code warning} of an upward crossing of warn, if one is due. */
  private void warnOnCrossing() {
    // takeWarning() is true once per crossing (re-armed by the buffer): exactly one warning each.
    if (buffer.takeWarning()) {
      // A warning overtakes everything queued (docs/protocol.md §13): the client learns of the
      // stall now, not after the backlog that causes it. Pending counts the catch-up lag too.
      int pending = (int) Math.min(Integer.MAX_VALUE, buffer.pending() + buffer.behind());
      // max is the effective bound, which an adaptive class moves (docs/protocol.md §6).
      warn.accept(Outbound.warning(buffer.fill(), pending, buffer.effectiveMaxEvents()));
      metrics.warning();
      events.accept(Event.WARNED, null);
    }
  }

  /**
   * The effective bound moved (an adaptive class's tick), and the fill with it: a crossing of
   * {@code warn} sends its warning now, and reaching {@code disconnect} starts the sustain timer,
   * as after an offer.
   */
  void boundChanged() {
    if (stopped) {
      return;
    }
    warnOnCrossing();
    armIfOverDisconnect();
  }

  private void armIfOverDisconnect() {
    if (buffer.overDisconnectSince() >= 0 && sustainTimer < 0) {
      armSustainTimer();
    }
  }

  /**
   * After a batch of offers: keeps the buffer within its share of the node's budget, arms the
   * sustain timer if needed and reports new drops.
   *
   * @return false when the connection was closed (over its budget share for {@code sustainMs})
   */
  boolean afterOffers() {
    if (stopped) {
      return false;
    }
    BufferBudget.Verdict v = budget.afterOffers(sustainMs, clock);
    budgetPublished = buffer.pendingBytes();
    budgetOver = v != BufferBudget.Verdict.WITHIN;
    if (v == BufferBudget.Verdict.CLOSE) {
      events.accept(Event.SLOW, "over its share of buffer.budgetBytes for sustainMs");
      closeSlow.run();
      return false;
    }
    if (v == BufferBudget.Verdict.SHED) {
      if (!dropping) {
        dropping = true;
        events.accept(Event.DROPPING, "over its share of buffer.budgetBytes");
      }
      if (budgetTimer < 0) {
        // A new stretch over the level: the batches judge it, and this timer where none comes.
        armBudgetTimer(sustainMs);
      }
    }
    armIfOverDisconnect();
    reportDrops();
    return true;
  }

  /**
   * After a batch whose every event went straight to the socket ({@link #passedThrough}): the
   * buffer held nothing and holds nothing, so no threshold or sustain condition moved, and the
   * budget needs to hear of it only if the last batch found this buffer over its share (a batch
   * within ends that stretch). The usual fan-out delivery then reads this object and the buffer,
   * not the budget's share of the connection (docs/benchmarks.md).
   *
   * @return false when the connection was closed
   */
  boolean afterPassedBatch() {
    if (budgetOver) {
      return afterOffers();
    }
    if (stopped) {
      return false;
    }
    // Drops made while polling (by-age ages events out there) are reported after the next batch.
    reportDrops();
    return true;
  }

  /** Reports the drops and conflations since the last report to the metrics. */
  private void reportDrops() {
    long drops = buffer.droppedEvents();
    if (drops != droppedReported) {
      // Rare (only while dropping), so the per-reason walk costs nothing on the usual path.
      for (DropReason r : REASONS) {
        long n = buffer.droppedEvents(r);
        metrics.dropped(r, n - droppedReportedBy[r.ordinal()]);
        droppedReportedBy[r.ordinal()] = n;
      }
      droppedReported = drops;
    }
    long conflated = buffer.conflatedEvents();
    if (conflated != conflatedReported) {
      metrics.conflated(conflated - conflatedReported);
      conflatedReported = conflated;
    }
  }

  /**
   * After each pump turn: hears the catch-up lag ({@link #behind(long)}) and publishes what the
   * socket took to the node's budget.
   */
  void afterTurn(long lag) {
    behind(lag);
    // The share publishes only a change of the buffer's bytes: a turn that took nothing from the
    // buffer (every turn of a client that keeps up) leaves the share untouched.
    long bytes = buffer.pendingBytes();
    if (!stopped && bytes != budgetPublished) {
      budget.afterTurn();
      budgetPublished = bytes;
    }
  }

  /** After the buffer handed an entry out: dropping ends once the fill is back below warn. */
  void afterPoll() {
    if (dropping && buffer.fill() < buffer.limits().warn()) {
      dropping = false;
    }
  }

  /**
   * {@code warned} (fill at or above warn), {@code slow} (at or above disconnect) or {@code
   * active}, for {@code /api/connections}.
   */
  String state() {
    double fill = buffer.fill();
    if (fill >= buffer.limits().disconnect()) {
      return "slow";
    }
    return fill >= buffer.limits().warn() ? "warned" : "active";
  }

  /**
   * Takes a new {@code sustainMs} (the connection changed class): a running timer is set again for
   * the condition's start plus the new duration.
   */
  void sustainMs(long ms) {
    if (ms == sustainMs) {
      return;
    }
    sustainMs = ms;
    if (budgetTimer >= 0) {
      vertx.cancelTimer(budgetTimer);
      budgetTimer = -1;
      checkBudget();
    }
    if (sustainTimer >= 0) {
      vertx.cancelTimer(sustainTimer);
      sustainTimer = -1;
      if (buffer.overDisconnectSince() >= 0) {
        armSustainTimer();
      }
    }
  }

  /** Live events for the connection since it opened, buffered or passed through. */
  long offeredEvents() {
    return offered;
  }

  /** Whether the buffer has dropped since its fill was last below warn. */
  boolean dropping() {
    return dropping;
  }

  /** Cancels the timers and leaves the node's budget for good; idempotent. */
  void stop() {
    stopped = true;
    budget.leave();
    if (budgetTimer >= 0) {
      vertx.cancelTimer(budgetTimer);
      budgetTimer = -1;
    }
    if (sustainTimer >= 0) {
      vertx.cancelTimer(sustainTimer);
      sustainTimer = -1;
    }
  }

  /** Judges the budget share's condition now: closes 4001, or times it again while it lasts. */
  private void checkBudget() {
    long next = budget.checkSustained(sustainMs, clock);
    if (next == BufferBudget.CLOSE_NOW) {
      events.accept(Event.SLOW, "over its share of buffer.budgetBytes for sustainMs, reading nothing");
      closeSlow.run();
    } else if (next != BufferBudget.NOT_OVER) {
      armBudgetTimer(next);
    }
  }

  private void armBudgetTimer(long ms) {
    budgetTimer =
        vertx.setTimer(
            Math.max(1, ms),
            t -> {
              budgetTimer = -1;
              if (!stopped) {
                checkBudget();
              }
            });
  }

  private void armSustainTimer() {
    long due = buffer.overDisconnectSince() + sustainMs - clock.millis();
    sustainTimer =
        vertx.setTimer(
            Math.max(1, due),
            t -> {
              sustainTimer = -1;
              if (stopped) {
                return;
              }
              if (buffer.sustainedOverDisconnect(sustainMs)) {
                events.accept(Event.SLOW, "buffer at or above disconnect for sustainMs");
                closeSlow.run();
              } else if (buffer.overDisconnectSince() >= 0) {
                armSustainTimer();
              }
            });
  }
}
