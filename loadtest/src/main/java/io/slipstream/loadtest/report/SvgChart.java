package io.slipstream.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart drawn as inline SVG: one x axis (seconds), one y axis (linear or log10), one
 * polyline per series broken where a value is NaN, a legend, and optional vertical markers (phase
 * changes).
 *
 * <p>A mutable builder, confined to the thread that renders the report.
 */
public final class SvgChart {

  /** One line of the chart. */
  public record Series(String name, double[] y, String color) {}

  /** A vertical line at {@code x} labelled {@code label}. */
  public record Marker(double x, String label) {}

  /** Colors for successive series. */
  public static final String[] PALETTE = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"
  };

  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 34;
  private static final int BOTTOM = 40;

  private final String title;
  private final String yLabel;
  private final double[] x;
  private final List<Series> series = new ArrayList<>();
  private final List<Marker> markers = new ArrayList<>();
  private boolean logY;

  /** A chart titled {@code title} whose y values are in {@code yLabel}, over {@code x}. */
  public SvgChart(String title, String yLabel, double[] x) {
    this.title = title;
    this.yLabel = yLabel;
    this.x = x;
  }

  /** Adds a series, colored by its position. */
  public SvgChart series(String name, double[] y) {
    series.add(new Series(name, y, PALETTE[series.size() % PALETTE.length]));
    return this;
  }

  /** Adds a vertical marker. */
  public SvgChart marker(double at, String label) {
    markers.add(new Marker(at, label));
    return this;
  }

  /** Uses a log10 y axis (for latencies). */
  public SvgChart logY() {
    this.logY = true;
    return this;
  }

  /** Whether any series has a finite value. */
  public boolean hasData() {
    for (Series s : series) {
      for (double v : s.y()) {
        if (Double.isFinite(v)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The SVG element. */
  public String render(int width, int height) {
    double xMin = x.length == 0 ? 0 : x[0];
    double xMax = x.length == 0 ? 1 : x[x.length - 1];
    if (xMax <= xMin) {
      xMax = xMin + 1;
    }
    double yMax = 0;
    double yMinPos = Double.MAX_VALUE;
    for (Series s : series) {
      for (double v : s.y()) {
        if (Double.isFinite(v)) {
          yMax = Math.max(yMax, v);
          if (v > 0) {
            yMinPos = Math.min(yMinPos, v);
          }
        }
      }
    }
    double lo;
    double hi;
    if (logY) {
      if (yMinPos == Double.MAX_VALUE) {
        yMinPos = 0.1;
        yMax = 1;
      }
      lo = Math.pow(10, Math.floor(Math.log10(yMinPos)));
      hi = Math.pow(10, Math.ceil(Math.log10(Math.max(yMax, lo * 10))));
    } else {
      lo = 0;
      hi = niceCeil(yMax <= 0 ? 1 : yMax * 1.05);
    }
    int pw = width - LEFT - RIGHT;
    int ph = height - TOP - BOTTOM;
    StringBuilder sb = new StringBuilder(4096);
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\""
                + " height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">",
            width,
            height,
            width,
            height));
    sb.append("<title>").append(Html.escape(title)).append("</title>");
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>",
            LEFT,
            Html.escape(title)));
    // y grid and labels
    List<Double> ticks = logY ? logTicks(lo, hi) : linearTicks(hi);
    for (double t : ticks) {
      double py = TOP + ph - scaleY(t, lo, hi) * ph;
      sb.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>",
              LEFT,
              py,
              LEFT + pw,
              py));
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
              LEFT - 6,
              py + 4,
              label(t)));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\""
                + " text-anchor=\"middle\">%s</text>",
            TOP + ph / 2,
            TOP + ph / 2,
            Html.escape(yLabel)));
    // x ticks
    for (double t : linearTicksBetween(xMin, xMax)) {
      double px = LEFT + (t - xMin) / (xMax - xMin) * pw;
      sb.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>",
              px,
              TOP + ph,
              px,
              TOP + ph + 4));
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
              px,
              TOP + ph + 16,
              label(t)));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds</text>",
            LEFT + pw / 2,
            height - 6));
    sb.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
            LEFT,
            TOP,
            pw,
            ph));
    for (Marker m : markers) {
      double px = LEFT + (m.x() - xMin) / (xMax - xMin) * pw;
      sb.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#aaa\""
                  + " stroke-dasharray=\"3,3\"/>",
              px,
              TOP,
              px,
              TOP + ph));
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" fill=\"#777\" font-size=\"9\">%s</text>",
              px + 2,
              TOP + 10,
              Html.escape(m.label())));
    }
    // series
    int legendX = LEFT + 8;
    for (Series s : series) {
      for (String points : segments(s.y(), xMin, xMax, lo, hi, pw, ph)) {
        sb.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
            .append(s.color())
            .append("\" points=\"")
            .append(points)
            .append("\"><title>")
            .append(Html.escape(s.name()))
            .append("</title></polyline>");
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/>",
              legendX,
              24,
              s.color()));
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\">%s</text>",
              legendX + 14,
              29,
              Html.escape(s.name())));
      legendX += 24 + 7 * s.name().length();
    }
    sb.append("</svg>");
    return sb.toString();
  }

  private List<String> segments(
      double[] y, double xMin, double xMax, double lo, double hi, int pw, int ph) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int n = Math.min(x.length, y.length);
    for (int i = 0; i < n; i++) {
      double v = y[i];
      if (!Double.isFinite(v) || (logY && v <= 0)) {
        if (cur.length() > 0) {
          out.add(cur.toString().trim());
          cur.setLength(0);
        }
        continue;
      }
      double px = LEFT + (x[i] - xMin) / (xMax - xMin) * pw;
      double py = TOP + ph - Math.max(0, Math.min(1, scaleY(v, lo, hi))) * ph;
      cur.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
    }
    if (cur.length() > 0) {
      out.add(cur.toString().trim());
    }
    // A single point draws nothing as a polyline: double it.
    for (int i = 0; i < out.size(); i++) {
      if (!out.get(i).contains(" ")) {
        out.set(i, out.get(i) + " " + out.get(i));
      }
    }
    return out;
  }

  private double scaleY(double v, double lo, double hi) {
    if (logY) {
      return (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    }
    return (v - lo) / (hi - lo);
  }

  /** The smallest 1, 2 or 5 times a power of ten that is at least {@code v}. */
  static double niceCeil(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static List<Double> linearTicks(double hi) {
    return linearTicksBetween(0, hi);
  }

  private static List<Double> linearTicksBetween(double lo, double hi) {
    List<Double> out = new ArrayList<>();
    double step = niceCeil((hi - lo) / 6);
    double start = Math.ceil(lo / step) * step;
    for (int i = 0; i <= 12; i++) {
      double t = start + i * step;
      if (t > hi + step * 1e-9) {
        break;
      }
      out.add(t);
    }
    return out;
  }

  private static List<Double> logTicks(double lo, double hi) {
    List<Double> out = new ArrayList<>();
    for (double t = lo; t <= hi * 1.0001 && out.size() < 20; t *= 10) {
      out.add(t);
    }
    return out;
  }

  private static String label(double v) {
    double a = Math.abs(v);
    if (a >= 1e6) {
      return trim(v / 1e6) + "M";
    }
    if (a >= 1e3) {
      return trim(v / 1e3) + "k";
    }
    return trim(v);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }
}
