package io.slipstream.server.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every way the server's answers departed from the contract during a fuzz run, grouped by the
 * generator rule of the frame that went wrong, with the first {@link #EXAMPLES} of each kept in
 * full: the frame, what was expected, what came, and the connection's frames so far (a replay of
 * them on a fresh connection reproduces it).
 *
 * <p>Thread-safe. Bounded: at most {@link #EXAMPLES} examples per rule, each with at most {@link
 * #LOG} frames.
 */
final class Findings {

  /** Examples kept per rule. */
  static final int EXAMPLES = 3;
  /** Frames of the connection's history kept per example (the last ones). */
  static final int LOG = 40;

  private static final class Rule {
    int count;
    final List<String> examples = new ArrayList<>();
  }

  private final Map<String, Rule> rules = new TreeMap<>();
  private int total;

  /**
   * Records one departure.
   *
   * @param rule what to group it under (the failing frame's generator rule, or another name)
   * @param note how it was attributed, for the report
   */
  synchronized void record(FuzzConnection.Departure d, String rule, String note) {
    total++;
    Rule r = rules.computeIfAbsent(rule, k -> new Rule());
    r.count++;
    if (r.examples.size() < EXAMPLES) {
      StringBuilder sb = new StringBuilder();
      sb.append("  over ").append(d.transport()).append(": ").append(d.what()).append('\n');
      if (d.cause() != null) {
        sb.append("    frame: ").append(d.cause().describe()).append('\n');
      }
      sb.append("    ").append(note).append('\n');
      List<Frame> frames = d.frames();
      List<Frame> shown = frames.subList(Math.max(0, frames.size() - LOG), frames.size());
      sb.append("    the connection's frames (")
          .append(frames.size())
          .append(shown.size() < frames.size() ? ", the last " + LOG : "")
          .append("; each burst was followed by a ping with id ~barrier-N once hello was done):\n");
      for (Frame f : shown) {
        sb.append("      ").append(f.describe()).append('\n');
      }
      r.examples.add(sb.toString());
    }
  }

  /** The rule of a frame: its generator rule, mutations all in one (their edits vary). */
  static String rule(Frame cause) {
    if (cause == null) {
      return "(no frame in particular)";
    }
    return cause.kind().startsWith("mutated/") ? "mutated" : cause.kind();
  }

  synchronized int total() {
    return total;
  }

  /**
   * The report: one line per rule with its count, then its examples; ASCII only (anything else
   * as {@code \\uXXXX}), since report writers cut messages at characters they cannot take.
   */
  synchronized String report() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Rule> e : rules.entrySet()) {
      sb.append(e.getKey()).append(": ").append(e.getValue().count).append(" frame(s)\n");
      for (String ex : e.getValue().examples) {
        sb.append(ex);
      }
    }
    return ascii(sb);
  }

  private static String ascii(CharSequence s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || (c >= 0x20 && c < 0x7F)) {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }
}
