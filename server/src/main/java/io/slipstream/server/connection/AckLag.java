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
    int at = (int) Math.min(count - 1, Math.ceil(q * count) - 1);
    return scratch[Math.max(0, at)];
  }
}
