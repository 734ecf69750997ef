package io.slipstream.server.connection;

import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.qos.AdaptiveBuffer;
import io.slipstream.core.time.Clock;

/**
 * The effective buffer bound of a connection whose QoS class is adaptive (docs/protocol.md §6, "QoS
 * classes"): once per quality tick it measures how fast the client drains its buffer and sets the
 * bound to {@code targetDelayMs} of that rate, between the class's {@code min} and {@code max}
 * ({@link AdaptiveBuffer#bound}); a connection of a fixed class keeps the class's {@code max}.
 *
 * <p>Confined to its connection's event loop. Nothing per event: the write pump counts the entries
 * it takes from the buffer anyway ({@link WritePump#drained()}); this reads the count once a tick.
 *
 * <p>What is measured is the client's capacity, not its demand. A tick counts only when the buffer
 * never ran empty during it ({@link WritePump#takeSaturated()}): then the client (or its class's
 * rate) is what held the entries back, and the entries drained per second are its drain rate,
 * averaged over such ticks with weight {@link #WEIGHT} on the last one. A tick in which the buffer
 * ran empty shows only that the client took all it was given: its rate is at least that many, so
 * the average may rise to it, never fall. Until a first such tick the rate is unknown and the bound
 * is the class's {@code max}: a client that keeps up with its topics, however quiet they are, is
 * never shrunk.
 */
final class AdaptiveBound {

  /** What the write pump tells of the buffer's drain ({@link WritePump}). */
  interface Drain {
    /** Entries taken from the buffer to the socket since the connection opened. */
    long drained();

    /**
     * Whether the buffer held entries the whole time since the last call; starts the next period.
     */
    boolean takeSaturated();
  }

  /**
   * The weight of the last saturated tick's drain rate in the average: half, so the bound follows a
   * change of pace within a few ticks without jumping with one chunk of the socket.
   */
  static final double WEIGHT = 0.5;

  private final ClientBuffer buffer;
  private final Drain pump;
  private final Clock clock;
  private final Runnable onChange;

  /** The class's adaptive part; null for a fixed bound. */
  private AdaptiveBuffer adaptive;

  /** The average drain rate, entries/s; NaN until a saturated tick measured it. */
  private double drainPerSec = Double.NaN;

  private long lastDrained;
  private long lastTick;

  /**
   * @param onChange runs after each change of the effective bound (the fill moved with it)
   */
  AdaptiveBound(ClientBuffer buffer, Drain pump, Clock clock, Runnable onChange) {
    this.buffer = buffer;
    this.pump = pump;
    this.clock = clock;
    this.onChange = onChange;
    this.lastTick = clock.millis();
  }

  /**
   * Follows the class's {@code adaptive} part from now on (null: a fixed bound), measuring afresh,
   * as the connection enters a class (after {@link ClientBuffer#retarget}). The bound starts again
   * from the class's {@code max}; when the class's limits wait for the queue to fit them, they
   * bring their full bound once they apply, and until then the bound stays where it is, so the wait
   * does not grow the queue.
   */
  void use(AdaptiveBuffer next) {
    adaptive = next;
    drainPerSec = Double.NaN;
    lastDrained = pump.drained();
    lastTick = clock.millis();
    pump.takeSaturated();
    if (buffer.waitingLimits() == null) {
      bound(buffer.limits().maxEvents());
    }
  }

  /** Measures the last tick's drain and moves the bound; once per quality tick. */
  void tick() {
    long now = clock.millis();
    long dt = now - lastTick;
    if (adaptive == null || dt <= 0) {
      return;
    }
    long drained = pump.drained();
    double sample = (drained - lastDrained) * 1000.0 / dt;
    boolean saturated = pump.takeSaturated();
    lastDrained = drained;
    lastTick = now;
    if (saturated) {
      drainPerSec =
          Double.isNaN(drainPerSec) ? sample : WEIGHT * sample + (1 - WEIGHT) * drainPerSec;
    } else if (!Double.isNaN(drainPerSec)) {
      drainPerSec = Math.max(drainPerSec, sample);
    }
    bound(adaptive.bound(drainPerSec, buffer.limits().maxEvents()));
  }

  /** The measured drain rate, entries/s; NaN while unknown or for a fixed class. */
  double drainPerSec() {
    return drainPerSec;
  }

  private void bound(int maxEvents) {
    if (maxEvents != buffer.effectiveMaxEvents()) {
      buffer.effectiveMax(maxEvents);
      onChange.run();
    }
  }
}
