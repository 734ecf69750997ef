package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.LeastSquares;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.ResourceSample;
import io.slipstream.loadtest.report.RunResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The figures and checks of {@code soak}: the server's resources over time (first, last, largest
 * and least-squares slope per minute of each reading) and every client's lost and doubled counts.
 *
 * <p>Stateless; called on the main thread.
 */
final class SoakFigures {

  static final String RESOURCES = "server resources over time";
  static final String CLIENTS = "clients";

  /** The table of every client's counts. */
  static final String EVERY_CLIENT = "every client";

  private SoakFigures() {}

  /**
   * The heap-after-GC slope in MiB per minute over the steady readings, or over their second half
   * only; NaN with fewer than two readings.
   */
  static double heapSlope(List<ResourceSample> series, boolean secondHalf) {
    return slopePerMinute(series, secondHalf, ResourceSample::heapAfterGcMb);
  }

  /**
   * The least-squares slope per minute of {@code f} over the steady readings (over the second half
   * of their time span when {@code secondHalf}); NaN where {@code f} is NaN or with fewer than two
   * readings.
   */
  static double slopePerMinute(
      List<ResourceSample> series, boolean secondHalf, ToDoubleFunction<ResourceSample> f) {
    List<ResourceSample> in = steady(series);
    if (in.isEmpty()) {
      return Double.NaN;
    }
    double mid = (in.get(0).t() + in.get(in.size() - 1).t()) / 2;
    List<ResourceSample> used = new ArrayList<>();
    for (ResourceSample s : in) {
      if (!secondHalf || s.t() >= mid) {
        used.add(s);
      }
    }
    double[] x = new double[used.size()];
    double[] y = new double[used.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = used.get(i).t() / 60.0;
      y[i] = f.applyAsDouble(used.get(i));
    }
    return LeastSquares.fit(x, y).slope();
  }

  private static List<ResourceSample> steady(List<ResourceSample> series) {
    List<ResourceSample> out = new ArrayList<>();
    for (ResourceSample s : series) {
      if (s.steady()) {
        out.add(s);
      }
    }
    return out;
  }

  /** The resource figures: the steady readings, and those before and once the clients closed. */
  static void resources(
      RunResult r, List<ResourceSample> series, String heapSource, long heldAfterClose) {
    List<ResourceSample> soak = steady(series);
    r.put(RESOURCES, "readings while publishing", soak.size());
    r.put(RESOURCES, "heap source", heapSource);
    reading(r, series, soak, "heap after GC MiB", ResourceSample::heapAfterGcMb);
    r.put(
        RESOURCES,
        "heap after GC slope MiB/min (all readings)",
        round(heapSlope(series, false)));
    r.put(
        RESOURCES,
        "heap after GC slope MiB/min (second half)",
        round(heapSlope(series, true)));
    reading(r, series, soak, "RSS MiB", ResourceSample::rssMb);
    reading(r, series, soak, "open fds", s -> count(s.fds()));
    r.put(
        RESOURCES,
        "open fds slope /min (second half)",
        round(slopePerMinute(series, true, s -> count(s.fds()))));
    reading(r, series, soak, "threads", s -> count(s.threads()));
    reading(r, series, soak, "sessions", s -> count(s.sessions()));
    reading(r, series, soak, "connections (server)", s -> count(s.serverConnections()));
    if (heldAfterClose >= 0) {
      r.put(RESOURCES, "connections held after the clients closed", heldAfterClose);
    }
  }

  /**
   * Puts {@code name} before the run (the first reading), at the first and last steady readings,
   * its largest steady value, and once the clients closed (the last reading); NaNs are left out.
   */
  private static void reading(
      RunResult r,
      List<ResourceSample> series,
      List<ResourceSample> soak,
      String name,
      ToDoubleFunction<ResourceSample> f) {
    if (series.isEmpty()) {
      return;
    }
    put(r, name + ", before connecting", f.applyAsDouble(series.get(0)));
    if (!soak.isEmpty()) {
      double max = Double.NaN;
      for (ResourceSample s : soak) {
        double v = f.applyAsDouble(s);
        if (Double.isFinite(v) && (Double.isNaN(max) || v > max)) {
          max = v;
        }
      }
      put(r, name + ", first while publishing", f.applyAsDouble(soak.get(0)));
      put(r, name + ", last while publishing", f.applyAsDouble(soak.get(soak.size() - 1)));
      put(r, name + ", largest while publishing", max);
    }
    put(r, name + ", after the clients closed", f.applyAsDouble(series.get(series.size() - 1)));
  }

  private static void put(RunResult r, String name, double v) {
    if (Double.isFinite(v)) {
      r.put(RESOURCES, name, round(v));
    }
  }

  private static double count(long n) {
    return n < 0 ? Double.NaN : n;
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Percentiles.round(v) : Double.NaN;
  }

  /**
   * Every client's counts as the {@code clients} table (with the scenario's own {@code columns}),
   * the summary figures, and the checks: no client lost or doubled a change, and every client
   * reached the last seq.
   */
  static void clients(
      RunResult r,
      String topic,
      List<ClientReport> reports,
      PublishReport p,
      int reached,
      int named,
      Function<ClientReport, Map<String, Object>> columns) {
    List<Map<String, Object>> rows = new ArrayList<>(reports.size());
    List<String> losers = new ArrayList<>();
    List<String> doublers = new ArrayList<>();
    long lostTotal = 0;
    long doubledTotal = 0;
    long mostLost = 0;
    long mostDoubled = 0;
    for (ClientReport c : reports) {
      long behind = Runs.behind(c, topic, p);
      long lost = c.gaps() + behind;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("client", c.id());
      row.put("lost", lost);
      row.put("doubled", c.duplicates());
      row.put("missing at the end", behind);
      row.put("received", c.received());
      row.put("reconnects", c.reconnects());
      row.put("resets", c.resets());
      row.put("protocol errors", c.protocolErrors());
      row.put("last seq", c.last().getOrDefault(topic, -1L));
      row.putAll(columns.apply(c));
      rows.add(row);
      lostTotal += lost;
      doubledTotal += c.duplicates();
      mostLost = Math.max(mostLost, lost);
      mostDoubled = Math.max(mostDoubled, c.duplicates());
      if (lost > 0) {
        losers.add(c.id() + " (" + lost + ")");
      }
      if (c.duplicates() > 0) {
        doublers.add(c.id() + " (" + c.duplicates() + ")");
      }
    }
    r.table(EVERY_CLIENT, rows);
    r.put(CLIENTS, "clients", reports.size());
    r.put(CLIENTS, "changes lost (gaps + missing at the end)", lostTotal);
    r.put(CLIENTS, "changes doubled", doubledTotal);
    r.put(CLIENTS, "clients that lost changes", losers.size());
    r.put(CLIENTS, "clients that got changes twice", doublers.size());
    r.put(CLIENTS, "most lost by one client", mostLost);
    r.put(CLIENTS, "most doubled by one client", mostDoubled);
    r.put(CLIENTS, "clients at the last seq", reached);
    r.check(
        Check.of(
            "no client lost a change (gaps + missing at the end)",
            losers.isEmpty(),
            losers.isEmpty()
                ? "0 lost by " + reports.size() + " clients"
                : lostTotal + " lost by " + losers.size() + " clients: " + first(losers, named)));
    r.check(
        Check.of(
            "no client got a change twice",
            doublers.isEmpty(),
            doublers.isEmpty()
                ? "0 doubled for " + reports.size() + " clients"
                : doubledTotal
                    + " doubled for "
                    + doublers.size()
                    + " clients: "
                    + first(doublers, named)));
    r.check(
        Check.of(
            "every client reached the last seq",
            reached == reports.size(),
            reached + " of " + reports.size()));
  }

  /** The first {@code n} of {@code items}, joined, with an ellipsis when there are more. */
  static String first(List<String> items, int n) {
    List<String> shown = items.subList(0, Math.min(n, items.size()));
    return String.join(", ", shown) + (items.size() > n ? ", …" : "");
  }

  /** Fails when heap after GC grew faster than {@code max} MiB/min over the second half. */
  static void checkHeapSlope(RunResult r, List<ResourceSample> series, double max) {
    double slope = heapSlope(series, true);
    r.check(
        Check.of(
            "heap after GC slope over the second half at most " + max + " MiB/min",
            Double.isFinite(slope) && slope <= max,
            Double.isFinite(slope)
                ? String.format(Locale.ROOT, "%+.3f MiB/min", slope)
                : "not measured: fewer than two heap readings in the second half"));
  }
}
