package io.slipstream.server.connection;

import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node-wide bound on the pending bytes of all connection buffers together ({@code
 * buffer.budgetBytes}, docs/protocol.md §6): beyond it, the connections furthest behind shed their
 * oldest live events ({@code dropped} reason {@code budget}) down to a common level, so that
 * together they free the excess and no more, and one that stays over that level for its class's
 * {@code sustainMs} is closed 4001.
 *
 * <p>Thread-safe, built for many event loops: no connection ever reads another's buffer. Each
 * connection holds a {@link Share}, confined to its event loop, that publishes its buffer's pending
 * bytes once per offer batch and once per pump turn (never per event) into its event loop's part of
 * the node-wide total and a volatile field of its own: the total is a sum of per-loop atomics, so
 * the two publishes per delivery of a fan-out never contend across cores for one cache line. The level is recomputed from the published values on a periodic
 * node tick ({@link #TICK_MS}) and, at most every {@link #MIN_RECOMPUTE_MS}, as soon as a batch
 * leaves the total over budget; it is published in one volatile field that each connection compares
 * with its own pending bytes after its next offer batch. So the total exceeds the budget by at most
 * what arrives between a crossing and the recompute, about one batch per connection. Bounded: one
 * share per open connection ({@code maxConnections}); a recompute allocates one array of that size,
 * only while over budget.
 */
public final class BufferBudget {

  /** How often the level is recomputed while nothing asks sooner, in ms. */
  public static final long TICK_MS = 100;

  /** The least time between two recomputes that batches ask for, in ms. */
  static final long MIN_RECOMPUTE_MS = 10;

  /** {@link Share#checkSustained}: close the connection now. */
  static final long CLOSE_NOW = 0;

  /** {@link Share#checkSustained}: the buffer is not over the level; nothing to time. */
  static final long NOT_OVER = -1;

  /** The level before the first recompute, or with no connection: none sheds. */
  static final long NO_LEVEL = Long.MAX_VALUE;

  private final Vertx vertx;
  private final long budgetBytes;
  /**
   * The total, in one part per thread whose connections joined (their event loops): each share
   * adds to its own loop's part, uncontended; readers sum the parts. Bounded by the threads.
   */
  private volatile AtomicLong[] parts = new AtomicLong[0];

  private final FastThreadLocal<AtomicLong> part =
      new FastThreadLocal<>() {
        @Override
        protected AtomicLong initialValue() {
          AtomicLong p = new AtomicLong();
          addPart(p);
          return p;
        }
      };

  private synchronized void addPart(AtomicLong p) {
    AtomicLong[] next = Arrays.copyOf(parts, parts.length + 1);
    next[parts.length] = p;
    parts = next;
  }

  /** The highest {@link #totalBytes} ever published, for sizing a node (and the budget load test). */
  private final AtomicLong peak = new AtomicLong();

  /** Bound: one per open connection; a share leaves when its connection closes. */
  private final Set<Share> shares = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean recomputeAsked = new AtomicBoolean();
  private volatile long level = NO_LEVEL;

  /** {@link System#nanoTime()} of the last recompute; written under the monitor. */
  private volatile long lastRecomputeNanos = System.nanoTime() - MIN_RECOMPUTE_MS * 1_000_000;

  private long timer = -1;

  /** A budget of {@code budgetBytes} over the buffers of connections on {@code vertx}. */
  public BufferBudget(Vertx vertx, long budgetBytes) {
    if (budgetBytes <= 0) {
      throw new IllegalArgumentException("buffer.budgetBytes must be positive, was " + budgetBytes);
    }
    this.vertx = vertx;
    this.budgetBytes = budgetBytes;
  }

  /** Starts the periodic recompute; call once, at start. */
  public synchronized void start() {
    if (timer < 0) {
      timer = vertx.setPeriodic(TICK_MS, t -> recompute());
    }
  }

  /** Stops the periodic recompute; idempotent. */
  public synchronized void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** {@code buffer.budgetBytes}. */
  public long budgetBytes() {
    return budgetBytes;
  }

  /** The pending bytes of all buffers on this node, as their connections last published them. */
  public long totalBytes() {
    long sum = 0;
    // Read per batch on the hot path: an array walk, no iterator.
    for (AtomicLong p : parts) {
      sum += p.get();
    }
    return sum;
  }

  /** The highest {@link #totalBytes()} since start. */
  public long peakBytes() {
    return peak.get();
  }

  /** The pending bytes above which a connection sheds, as last recomputed. */
  public long level() {
    return level;
  }

  /** A share of the budget for {@code buffer}; call on its connection's event loop. */
  Share join(ClientBuffer buffer) {
    Share s = new Share(buffer, part.get());
    shares.add(s);
    return s;
  }

  private void askRecompute() {
    if (!recomputeAsked.compareAndSet(false, true)) {
      return;
    }
    long waitMs = MIN_RECOMPUTE_MS - (System.nanoTime() - lastRecomputeNanos) / 1_000_000;
    if (waitMs <= 0) {
      vertx.runOnContext(v -> recompute());
    } else {
      vertx.setTimer(waitMs, t -> recompute());
    }
  }

  /**
   * Publishes the level from the values the shares published. Over budget: the highest {@code L}
   * such that shedding every buffer above {@code L} down to {@code L} frees the excess
   * (water-filling from the largest down). Within budget: the largest buffer plus the headroom
   * left, so that no buffer sheds until the node would pass its budget, and one held at the level
   * by shedding stays over it from batch to batch (which {@code sustainMs} times) instead of being
   * let go each time shedding brought the total back under. Rare (per tick, or per crossing at most
   * every {@link #MIN_RECOMPUTE_MS}); over budget it sorts one array of the published values.
   * Synchronized because the tick and an asked recompute may run on different event loops.
   */
  synchronized void recompute() {
    recomputeAsked.set(false);
    lastRecomputeNanos = System.nanoTime();
    long total = totalBytes();
    long excess = total - budgetBytes;
    if (total == 0) {
      // Every buffer published 0 (the usual tick of a node whose clients keep up): the largest is
      // 0 without walking the shares, which cost 0.9 % of a fan-out's CPU at 1,000 connections
      // and 10 ticks a second (cache misses on shares the other loop writes).
      level = shares.isEmpty() ? NO_LEVEL : budgetBytes;
      return;
    }
    if (excess <= 0) {
      long max = -1;
      for (Share s : shares) {
        max = Math.max(max, s.published);
      }
      level = max < 0 ? NO_LEVEL : max - excess;
      return;
    }
    long[] values = new long[shares.size() + 16];
    int n = 0;
    for (Share s : shares) {
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = s.published;
    }
    level = levelFor(values, n, excess);
  }

  /**
   * The highest level whose shedding, of every value above it down to it, frees at least {@code
   * excess}; 0 when not even shedding everything does. Sorts the first {@code n} of {@code values}.
   */
  static long levelFor(long[] values, int n, long excess) {
    Arrays.sort(values, 0, n);
    long sum = 0;
    for (int i = n - 1, count = 1; i >= 0; i--, count++) {
      sum += values[i];
      long next = i > 0 ? values[i - 1] : 0;
      // Shedding the count largest down to the next value frees sum - count * next.
      if (sum - count * next >= excess) {
        return Math.max(next, (sum - excess) / count);
      }
    }
    return 0;
  }

  /**
   * One connection's part in the budget: what its buffer's pending bytes were when it last
   * published them, and since when it has been over the level.
   *
   * <p>Confined to its connection's event loop, except {@link #published}, which the recompute
   * reads from any thread (single writer).
   */
  final class Share {
    private final ClientBuffer buffer;

    /** Its event loop's part of the total. */
    private final AtomicLong part;

    /** The buffer's pending bytes as last added to the total; written only by its loop. */
    private volatile long published;

    /**
     * Since when every offer batch has found the buffer over the level, clock millis; -1 since one
     * found it within.
     */
    private long overSince = -1;

    /** The buffer's pending bytes after the last batch that found it over the level. */
    private long overBytes;

    /** Offer batches since the share joined, and as {@link #checkSustained} last saw them. */
    private long batches;

    private long batchesChecked;

    private boolean left;

    private Share(ClientBuffer buffer, AtomicLong part) {
      this.buffer = buffer;
      this.part = part;
    }

    /** Adds the change of the buffer's pending bytes since the last call to the node's total. */
    private void publish() {
      long now = buffer.pendingBytes();
      long delta = now - published;
      if (delta != 0 && !left) {
        published = now;
        part.addAndGet(delta);
        if (delta > 0) {
          // Only growth can make a new high: a few volatile reads, a CAS only at a new high.
          long t = totalBytes();
          if (t > peak.get()) {
            peak.accumulateAndGet(t, Math::max);
          }
        }
      }
    }

    /**
     * After a batch of offers: publishes the buffer's bytes and, while the node is over budget and
     * this buffer above the level, sheds down to it, or closes once it stayed above the level for
     * {@code sustainMs}.
     *
     * @param clock read only when the buffer is over the level
     * @return what the connection must do
     */
    Verdict afterOffers(long sustainMs, Clock clock) {
      batches++;
      publish();
      long l = level;
      long pending = buffer.pendingBytes();
      if (pending <= l) {
        overSince = -1;
        // An empty buffer cannot be what puts the node over; those that hold bytes ask.
        if (pending > 0 && totalBytes() > budgetBytes) {
          // No level yet, or a stale one: the excess needs a new level now, not at the tick.
          askRecompute();
        }
        return Verdict.WITHIN;
      }
      long now = clock.millis();
      if (overSince < 0) {
        overSince = now;
        batchesChecked = batches;
      } else if (now - overSince >= sustainMs) {
        return Verdict.CLOSE;
      }
      buffer.shed(pending - l, DropReason.BUDGET);
      publish();
      overBytes = buffer.pendingBytes();
      if (totalBytes() > budgetBytes) {
        askRecompute();
      }
      return Verdict.SHED;
    }

    /**
     * Judges the condition that {@link #afterOffers} started where no batch may come to judge it
     * (its topics fell silent): due {@code sustainMs} after the first batch that found the buffer
     * over the level, a buffer whose socket took nothing since the last such batch is stuck over
     * its share, so its connection closes 4001. One that took something is left to the batches
     * while they keep coming (the next one closes it if it is still over), and is let go once
     * none came for {@link #TICK_MS}: it drains, and a new stretch over the level starts its own
     * {@code sustainMs}.
     *
     * @return {@link #CLOSE_NOW} to close, the ms until this should be called again, or {@link
     *     #NOT_OVER} when the buffer is not over the level
     */
    long checkSustained(long sustainMs, Clock clock) {
      if (overSince < 0 || left) {
        return NOT_OVER;
      }
      long due = overSince + sustainMs - clock.millis();
      if (due > 0) {
        return due;
      }
      if (buffer.pendingBytes() >= overBytes) {
        return CLOSE_NOW;
      }
      if (batches != batchesChecked) {
        batchesChecked = batches;
        return TICK_MS;
      }
      overSince = -1;
      return NOT_OVER;
    }

    /**
     * Whether the last offer batch found the buffer over the level and none since within it; for
     * tests.
     */
    boolean over() {
      return overSince >= 0;
    }

    /**
     * After a pump turn: publishes what the socket took. Whether the connection is within its share
     * is judged only after offers: shedding itself brings it down to the level, so only a batch
     * that finds it there has shown that it keeps up.
     */
    void afterTurn() {
      publish();
    }

    /** Takes this connection's bytes out of the total for good; idempotent. */
    void leave() {
      if (!left) {
        left = true;
        shares.remove(this);
        part.addAndGet(-published);
        published = 0;
      }
    }
  }

  /** What a connection does after an offer batch. */
  enum Verdict {
    /** Within its share: nothing. */
    WITHIN,
    /** Over its share: it shed its oldest events. */
    SHED,
    /** Over its share for {@code sustainMs}: close 4001. */
    CLOSE
  }
}
