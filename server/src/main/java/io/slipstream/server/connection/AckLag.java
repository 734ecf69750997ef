package io.slipstream.server.connection;

import java.util.Arrays;

/**
 * The most recent ack lags of a connection (time from a change's publish to the client's ack of
 * it), for the p50/p99 of {@code /api/connections} and of its quality.
 *
 * <p>Confined to its connection's event loop. Bounded: the last {@link #SAMPLES} acks. Reading a
 * percentile allocates nothing: the samples are sorted into a scratch array, and only when an ack
 * came since the last sort.
 */
final class AckLag {

  /** Acks remembered. */
  static final int SAMPLES = 128;

  /**
   * Allocated on the first ack: most idle connections never ack, and every byte per idle connection
   * counts.
   */
  private long[] samples;

  /** {@link #samples}' first {@link #count} values in order, valid while {@link #sorted} holds. */
  private long[] scratch;

  private int next;
  private int count;
  private boolean sorted;

  void record(long lagMs) {
    if (samples == null) {
      samples = new long[SAMPLES];
      scratch = new long[SAMPLES];
    }
    samples[next] = Math.max(0, lagMs);
    next = (next + 1) % SAMPLES;
    count = Math.min(count + 1, SAMPLES);
    sorted = false;
  }

  /** The {@code q} quantile (0..1) of the remembered lags, or null with no acks yet. */
  Long percentile(double q) {
    long v = percentileOr(q, -1);
    return v < 0 ? null : v;
  }

  /** The {@code q} quantile (0..1) of the remembered lags, or {@code none} with no acks yet. */
  long percentileOr(double q, long none) {
    if (count == 0) {
      return none;
    }
    if (!sorted) {
      System.arraycopy(samples, 0, scratch, 0, count);
      Arrays.sort(scratch, 0, count);
      sorted = true;
    }
    return scratch[index(q)];
  }

  /**
   * Whether the {@code q} quantile (0..1) of the remembered lags is over {@code limit}; false with
   * no acks. The same answer as {@code percentileOr(q, 0) > limit} for a {@code limit} of 0 or
   * more, without the sort: the quality tick asks it of every connection that acked since its last
   * tick, and counting the lags at or below {@code limit} (one pass over at most {@link #SAMPLES})
   * costs a tenth of sorting them again.
   */
  boolean quantileOver(double q, long limit) {
    if (count == 0) {
      return false;
    }
    if (sorted) {
      return scratch[index(q)] > limit;
    }
    // The first count slots hold the samples (the ring fills from 0); in sorted order those at or
    // below limit would come first, so the quantile's index lies past them iff it is over limit.
    int atOrBelow = 0;
    for (int i = 0; i < count; i++) {
      if (samples[i] <= limit) {
        atOrBelow++;
      }
    }
    return index(q) >= atOrBelow;
  }

  /** The index of the {@code q} quantile among {@link #count} sorted samples. */
  private int index(double q) {
    return Math.max(0, (int) Math.min(count - 1, Math.ceil(q * count) - 1));
  }
}
