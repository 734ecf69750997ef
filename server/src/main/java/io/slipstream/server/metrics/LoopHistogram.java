package io.slipstream.server.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;

/**
 * A Prometheus histogram of latencies in whole milliseconds that each thread records into a part
 * of its own: no atomic read-modify-write, no clock read, no cache line shared with the other
 * event loops. The scrape sums the parts. For a histogram recorded once per write-pump turn, i.e.
 * per delivery of a fan-out (100,000 a second at 1,000 subscribers × 100 changes/s), where
 * Micrometer's {@code Timer} read the wall clock twice per record (its time-windowed max and its
 * histogram's rotation) and incremented striped and shared counters: about 2 % of the fan-out's
 * server CPU (docs/benchmarks.md). Exposed as Micrometer exposed it ({@code _bucket}, {@code
 * _count}, {@code _sum}, in seconds), without Micrometer's time-windowed {@code _max}.
 *
 * <p>Thread-safe: a part has one writer (its thread) and any number of readers, who see each
 * value a release store published (a scrape may see one bucket a record ahead of the sum).
 * Bounded: one part ({@link ThreadParts}) per thread that ever recorded, of {@code buckets + 2}
 * counters.
 */
final class LoopHistogram implements Collector {

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

  /** One thread's counts: a slot per bucket (not cumulative), then the sum in ms. */
  private static final class Part {
    final long[] slots;

    Part(int buckets) {
      // buckets + 1 for +Inf, + 1 for the sum.
      slots = new long[buckets + 2];
    }

    void add(int slot, long value) {
      // Single writer: a plain read of its own slot and a release store, no read-modify-write.
      SLOT.setRelease(slots, slot, (long) SLOT.get(slots, slot) + value);
    }

    long get(int slot) {
      return (long) SLOT.getAcquire(slots, slot);
    }
  }

  private final String name;
  private final String help;
  private final long[] boundsMs;
  private final double[] boundsSeconds;
  private final ThreadParts<Part> parts;

  /**
   * @param name the Prometheus name, ending in {@code _seconds}
   * @param buckets the upper bounds, increasing, whole milliseconds each
   */
  LoopHistogram(String name, String help, Duration[] buckets) {
    this.name = name;
    this.help = help;
    this.boundsMs = new long[buckets.length];
    this.boundsSeconds = new double[buckets.length + 1];
    for (int i = 0; i < buckets.length; i++) {
      boundsMs[i] = buckets[i].toMillis();
      boundsSeconds[i] = buckets[i].toMillis() / 1000.0;
      if (i > 0 && boundsMs[i] <= boundsMs[i - 1]) {
        throw new IllegalArgumentException("buckets must increase: " + List.of(buckets));
      }
    }
    boundsSeconds[buckets.length] = Double.POSITIVE_INFINITY;
    this.parts = new ThreadParts<>(() -> new Part(boundsMs.length));
  }

  /** Records {@code ms} (negative counts as 0) on the calling thread's part. */
  void record(long ms) {
    long v = Math.max(0, ms);
    int b = 0;
    // 13 bounds: a scan beats a search, and most samples stop at the first ones.
    while (b < boundsMs.length && v > boundsMs[b]) {
      b++;
    }
    Part p = parts.mine();
    p.add(b, 1);
    p.add(boundsMs.length + 1, v);
  }

  /** Samples recorded, over every thread; for tests. */
  long count() {
    long n = 0;
    for (Part p : parts.all()) {
      for (int b = 0; b <= boundsMs.length; b++) {
        n += p.get(b);
      }
    }
    return n;
  }

  @Override
  public String getPrometheusName() {
    return name;
  }

  @Override
  public MetricSnapshot collect() {
    long[] counts = new long[boundsMs.length + 1];
    long sumMs = 0;
    for (Part p : parts.all()) {
      for (int b = 0; b < counts.length; b++) {
        counts[b] += p.get(b);
      }
      sumMs += p.get(boundsMs.length + 1);
    }
    return HistogramSnapshot.builder()
        .name(name)
        .help(help)
        .unit(Unit.SECONDS)
        .dataPoint(
            HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(boundsSeconds, counts))
                .sum(sumMs / 1000.0)
                .build())
        .build();
  }
}
