package io.slipstream.loadtest.scenario;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format (what {@code GET /metrics} serves) into sample
 * values: {@code name{labels} value [timestamp]} lines, {@code #} comments skipped.
 *
 * <p>Stateless and thread-safe.
 */
final class PrometheusText {

  private PrometheusText() {}

  /**
   * Every sample of {@code text}, keyed by its series exactly as written ({@code name} or {@code
   * name{labels}}), in order. Lines that are not samples are skipped, so a format the tool does not
   * know loses figures, not the run.
   */
  static Map<String, Double> samples(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    int from = 0;
    int len = text.length();
    while (from < len) {
      int eol = text.indexOf('\n', from);
      int end = eol < 0 ? len : eol;
      sample(text, from, end, out);
      from = end + 1;
    }
    return out;
  }

  private static void sample(String text, int from, int to, Map<String, Double> out) {
    String line = text.substring(from, to).trim();
    if (line.isEmpty() || line.charAt(0) == '#') {
      return;
    }
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    if (i == 0) {
      return;
    }
    if (i < line.length() && line.charAt(i) == '{') {
      i = closingBrace(line, i);
      if (i < 0) {
        return;
      }
      i++;
    }
    String series = line.substring(0, i);
    String[] rest = line.substring(i).trim().split("\\s+");
    if (rest.length == 0 || rest[0].isEmpty()) {
      return;
    }
    double v = number(rest[0]);
    if (!Double.isNaN(v) || rest[0].equals("NaN")) {
      out.put(series, v);
    }
  }

  /** The index of the '}' that closes the label set opened at {@code open}, or -1. */
  private static int closingBrace(String line, int open) {
    boolean quoted = false;
    for (int i = open + 1; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++; // an escaped quote, backslash or newline inside a label value
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '}') {
        return i;
      }
    }
    return -1;
  }

  private static double number(String s) {
    switch (s) {
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
    }
  }

  /**
   * The sum of every series of metric {@code name} (with any labels, or none); NaN when {@code
   * samples} has none, so an absent metric is told apart from a zero.
   */
  static double sum(Map<String, Double> samples, String name) {
    double sum = 0;
    boolean found = false;
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(name) && (k.length() == name.length() || k.charAt(name.length()) == '{')) {
        sum += e.getValue();
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }
}
