package io.slipstream.loadtest.proc;

/**
 * Parses the two {@code /proc} files the tool samples: {@code /proc/PID/stat} (CPU ticks) and
 * {@code /proc/PID/status} (resident memory).
 *
 * <p>Stateless and thread-safe.
 */
public final class ProcStat {

  /** CPU time of a process, in clock ticks. */
  public record Ticks(long user, long system, int threads) {
    /** User plus system ticks. */
    public long total() {
      return user + system;
    }
  }

  private ProcStat() {}

  /**
   * Parses {@code /proc/PID/stat}. The command name (field 2) is in parentheses and may itself
   * contain spaces and parentheses, so fields are counted from the last {@code ')'}: after it come
   * field 3 (state) onwards, utime being field 14 and stime field 15, num_threads field 20.
   *
   * @return null when the text is not a stat line
   */
  public static Ticks parseStat(String text) {
    int close = text.lastIndexOf(')');
    if (close < 0) {
      return null;
    }
    String[] f = text.substring(close + 1).trim().split("\\s+");
    // f[0] is field 3.
    if (f.length < 18) {
      return null;
    }
    try {
      return new Ticks(Long.parseLong(f[11]), Long.parseLong(f[12]), Integer.parseInt(f[17]));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The group a JVM thread belongs to, from its name as {@code /proc/PID/task/TID/comm} shows it
   * (at most 15 characters): {@code event loops}, {@code gc}, {@code jit} or {@code other}.
   */
  public static String threadGroup(String comm) {
    String c = comm.trim();
    if (c.startsWith("vert.x-eventloo") || c.startsWith("vert.x-acceptor")) {
      return "event loops";
    }
    if (c.startsWith("GC Thread")
        || c.startsWith("G1 ")
        || c.startsWith("VM Thread")
        || c.startsWith("ZWorker")
        || c.startsWith("ZDirector")
        || c.startsWith("GC ")) {
      return "gc";
    }
    if (c.startsWith("C1 CompilerThre") || c.startsWith("C2 CompilerThre")) {
      return "jit";
    }
    return "other";
  }

  /**
   * A {@code kB} value from {@code /proc/PID/status}, e.g. {@code VmRSS} or {@code VmHWM}, in
   * bytes; -1 when absent.
   */
  public static long statusBytes(String text, String field) {
    String prefix = field + ":";
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        String[] parts = line.substring(prefix.length()).trim().split("\\s+");
        try {
          long v = Long.parseLong(parts[0]);
          return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? v * 1024 : v;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /**
   * The heap in use from {@code jcmd PID GC.heap_info}, in bytes: the sum of the {@code used NK}
   * figures of the lines that describe a heap or a generation ({@code garbage-first heap}, {@code
   * PSYoungGen} + {@code ParOldGen}, {@code def new} + {@code tenured generation}, {@code ZHeap});
   * metaspace and nested spaces are left out. -1 when there is none.
   */
  public static long heapUsed(String jcmdOutput) {
    long sum = -1;
    for (String line : jcmdOutput.split("\n")) {
      String l = line.trim().toLowerCase(java.util.Locale.ROOT);
      if (l.startsWith("metaspace") || l.startsWith("class space")) {
        continue;
      }
      int u = l.indexOf("used ");
      if (u < 0 || !(l.contains("total") || l.contains("heap"))) {
        continue;
      }
      long v = sizeAt(l, u + 5);
      if (v >= 0) {
        sum = Math.max(sum, 0) + v;
      }
    }
    return sum;
  }

  private static long sizeAt(String l, int p) {
    int e = p;
    while (e < l.length() && Character.isDigit(l.charAt(e))) {
      e++;
    }
    if (e == p) {
      return -1;
    }
    long v = Long.parseLong(l.substring(p, e));
    char unit = e < l.length() ? l.charAt(e) : ' ';
    switch (unit) {
      case 'k':
        return v * 1024;
      case 'm':
        return v * 1024 * 1024;
      case 'g':
        return v * 1024 * 1024 * 1024;
      default:
        return v;
    }
  }
}
