package io.slipstream.server.connection;

import java.util.Arrays;

/**
 * The most recent ack lags of a connection (time from a change's publish to the client's ack of
 * it), for the p50/p99 of {@code /api/connections}.
 *
 * <p>Confined to its connection's event loop. Bounded: the last {@link #SAMPLES} acks.
 */
final class AckLag {

  /** Acks remembered. */
  static final int SAMPLES = 128;

  /** Allocated on the first ack: most idle connections never ack, and every byte per idle connection counts. */
  private long[] samples;
  private int next;
  private int count;

  void record(long lagMs) {
    if (samples == null) {
      samples = new long[SAMPLES];
    }
    samples[next] = Math.max(0, lagMs);
    next = (next + 1) % SAMPLES;
    count = Math.min(count + 1, SAMPLES);
  }

  /** The {@code q} quantile (0..1) of the remembered lags, or null with no acks yet. */
  Long percentile(double q) {
    if (count == 0) {
      return null;
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    int at = (int) Math.min(count - 1, Math.ceil(q * count) - 1);
    return sorted[Math.max(0, at)];
  }
}
