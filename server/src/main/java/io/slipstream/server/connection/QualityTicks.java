package io.slipstream.server.connection;

import io.slipstream.core.time.Clock;
import io.slipstream.server.metrics.Metrics;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one quality tick of each event loop: every {@code quality.tickMs} it evaluates the {@link
 * ConnectionQuality} of every connection on that loop, reports their fills to the buffer-fill
 * histogram, and measures how late the tick itself ran (the event-loop delay meter).
 *
 * <p>Thread-safe: the map of loops is concurrent; each loop's list is confined to that loop (joined
 * and left only there, ticked there). Bounded: one entry per context connections run on (one per
 * server verticle), and one list slot per open connection. A periodic timer per loop, not per
 * connection: 100,000 connections cost as many timers as event loops.
 */
final class QualityTicks {

  private static final Logger LOG = Logger.getLogger(QualityTicks.class.getName());
  private static final AtomicBoolean FAILURE_LOGGED = new AtomicBoolean();

  private final ConcurrentHashMap<Context, Loop> loops = new ConcurrentHashMap<>();

  /** Adds {@code q} to its loop's tick, starting that tick on the first connection; on the loop. */
  void join(Context context, ConnectionQuality q, long tickMs, Metrics metrics, Clock clock) {
    loops.computeIfAbsent(context, c -> new Loop(c, tickMs, metrics, clock)).join(q);
  }

  /** Removes {@code q} from its loop's tick; idempotent; on the loop. */
  void leave(Context context, ConnectionQuality q) {
    Loop loop = loops.get(context);
    if (loop != null) {
      loop.leave(q);
    }
  }

  /** One event loop's connections and its periodic timer. Confined to that loop. */
  private static final class Loop {
    private final Context context;
    private final long tickMs;
    private final Metrics metrics;
    private final Clock clock;
    private final ArrayList<ConnectionQuality> members = new ArrayList<>();
    private long timer = -1;
    private long due;

    /** This loop's connections by quality at its last tick, as the meters hold them. */
    private final int[] counted = new int[Quality.values().length];

    private final int[] counting = new int[Quality.values().length];

    Loop(Context context, long tickMs, Metrics metrics, Clock clock) {
      this.context = context;
      this.tickMs = tickMs;
      this.metrics = metrics;
      this.clock = clock;
    }

    void join(ConnectionQuality q) {
      if (q.slot >= 0) {
        return;
      }
      q.slot = members.size();
      members.add(q);
      if (timer < 0) {
        due = clock.millis() + tickMs;
        timer = context.owner().setPeriodic(tickMs, t -> tick());
      }
    }

    void leave(ConnectionQuality q) {
      int at = q.slot;
      if (at < 0 || at >= members.size() || members.get(at) != q) {
        return;
      }
      // Swap-remove: O(1), and order does not matter to a tick.
      ConnectionQuality last = members.remove(members.size() - 1);
      if (last != q) {
        members.set(at, last);
        last.slot = at;
      }
      q.slot = -1;
      if (members.isEmpty() && timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
        // No tick will recount: take this loop's connections out of the quality gauges now.
        java.util.Arrays.fill(counting, 0);
        report();
      }
    }

    private void tick() {
      long now = clock.millis();
      metrics.eventLoopDelay(Math.max(0, now - due));
      due = now + tickMs;
      java.util.Arrays.fill(counting, 0);
      for (int i = 0; i < members.size(); i++) {
        ConnectionQuality q = members.get(i);
        try {
          counting[q.tick(now).ordinal()]++;
          metrics.bufferFill(q.fill());
        } catch (RuntimeException e) {
          // A bug in one connection's figures must not stop the others' ticks.
          if (FAILURE_LOGGED.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "quality tick failed; further failures are not logged", e);
          }
        }
      }
      report();
    }

    /** Hands the meters the change from {@link #counted} to {@link #counting}. */
    private void report() {
      for (int q = 0; q < counting.length; q++) {
        int now = counting[q];
        counting[q] = now - counted[q];
        counted[q] = now;
      }
      metrics.qualityCounts(counting);
    }
  }
}
