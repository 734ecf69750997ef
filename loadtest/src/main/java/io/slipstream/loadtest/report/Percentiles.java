package io.slipstream.loadtest.report;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Reads the usual percentiles of a latency histogram recorded in microseconds, in milliseconds.
 *
 * <p>Stateless and thread-safe (the histogram must not change meanwhile).
 */
public final class Percentiles {

  private Percentiles() {}

  /** The value at {@code percentile} in milliseconds, NaN when the histogram is empty. */
  public static double ms(Histogram h, double percentile) {
    if (h == null || h.getTotalCount() == 0) {
      return Double.NaN;
    }
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** count, min, p50, p90, p99, p99.9, p99.99, max and mean, in milliseconds (count as is). */
  public static Map<String, Object> summary(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    long n = h == null ? 0 : h.getTotalCount();
    m.put("count", n);
    if (n == 0) {
      return m;
    }
    m.put("min ms", round(h.getMinValue() / 1000.0));
    m.put("p50 ms", round(ms(h, 50)));
    m.put("p90 ms", round(ms(h, 90)));
    m.put("p99 ms", round(ms(h, 99)));
    m.put("p99.9 ms", round(ms(h, 99.9)));
    m.put("p99.99 ms", round(ms(h, 99.99)));
    m.put("max ms", round(h.getMaxValue() / 1000.0));
    m.put("mean ms", round(h.getMean() / 1000.0));
    return m;
  }

  /** {@code v} rounded to 3 decimals (NaN stays NaN). */
  public static double round(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    return Math.round(v * 1000.0) / 1000.0;
  }
}
