package io.slipstream.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link RunResult} as the text table printed at the end of a run.
 *
 * <p>Stateless and thread-safe.
 */
public final class TextReport {

  /** Tables longer than this are left to the files: the terminal shows figures, not data. */
  private static final int MAX_TABLE_ROWS = 30;

  private TextReport() {}

  /** The table. */
  public static String render(RunResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append("== ").append(r.scenario()).append(" — ").append(r.question()).append('\n');
    for (Map.Entry<String, Map<String, Object>> s : r.sections().entrySet()) {
      sb.append('\n').append(s.getKey()).append('\n');
      int w = 0;
      for (String k : s.getValue().keySet()) {
        w = Math.max(w, k.length());
      }
      for (Map.Entry<String, Object> e : s.getValue().entrySet()) {
        sb.append("  ")
            .append(pad(e.getKey(), w))
            .append("  ")
            .append(format(e.getValue()))
            .append('\n');
      }
    }
    if (!r.steps().isEmpty()) {
      sb.append("\nsteps\n").append(table(r.steps()));
    }
    for (Map.Entry<String, List<Map<String, Object>>> t : r.tables().entrySet()) {
      List<Map<String, Object>> rows = t.getValue();
      if (rows.isEmpty()) {
        continue;
      }
      sb.append('\n').append(t.getKey());
      if (rows.size() <= MAX_TABLE_ROWS) {
        sb.append('\n').append(table(rows));
      } else {
        sb.append(": ").append(rows.size()).append(" rows, in result.json and report.html\n");
      }
    }
    if (!r.checks().isEmpty()) {
      sb.append("\nchecks\n");
      for (Check c : r.checks()) {
        sb.append("  ")
            .append(c.passed() ? "PASS " : "FAIL ")
            .append(c.name())
            .append(" (")
            .append(c.detail())
            .append(")\n");
      }
    }
    for (String n : r.notes()) {
      sb.append("\nnote: ").append(n).append('\n');
    }
    sb.append('\n').append(r.passed() ? "RESULT: PASS" : "RESULT: FAIL").append('\n');
    return sb.toString();
  }

  /** A column-aligned table of rows sharing keys. */
  static String table(List<Map<String, Object>> rows) {
    List<String> cols = new ArrayList<>(rows.get(0).keySet());
    int[] w = new int[cols.size()];
    for (int i = 0; i < cols.size(); i++) {
      w[i] = cols.get(i).length();
      for (Map<String, Object> row : rows) {
        w[i] = Math.max(w[i], format(row.get(cols.get(i))).length());
      }
    }
    StringBuilder sb = new StringBuilder("  ");
    for (int i = 0; i < cols.size(); i++) {
      sb.append(pad(cols.get(i), w[i])).append("  ");
    }
    sb.append('\n');
    for (Map<String, Object> row : rows) {
      sb.append("  ");
      for (int i = 0; i < cols.size(); i++) {
        sb.append(pad(format(row.get(cols.get(i))), w[i])).append("  ");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** A figure for humans: integers grouped, decimals to 3 significant places after the point. */
  public static String format(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) {
        return "-";
      }
      if (Math.abs(d) >= 1000) {
        return String.format(Locale.ROOT, "%,.0f", d);
      }
      return String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    if (v instanceof Long || v instanceof Integer) {
      return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
    }
    return String.valueOf(v);
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }
}
