package io.slipstream.loadtest.proc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Follows a JVM's heap with {@code jstat -gc PID INTERVAL} for the length of a phase and keeps its
 * peaks: what {@link ProcessProbe#heapAfterGc} cannot see, since a forced full GC per reading would
 * both disturb the phase and miss the moments between readings.
 *
 * <p>Two peaks, in bytes: <em>used</em> (survivors + eden + old: everything allocated and not yet
 * collected, so it includes garbage up to the size of eden) and <em>retained</em> (survivors +
 * old, read after every sample: what outlived at least one young collection, the closer figure to
 * the data actually in flight). {@code jstat} reads the target's perf-data file, so sampling costs
 * the target nothing; the {@code jstat} JVM costs the machine about 0.5 CPU-s to start and little
 * after.
 *
 * <p>Bounded: only the peaks and a count are kept, not the samples. One reader thread (daemon) per
 * watch; {@link #stop} ends the {@code jstat} process it started and nothing else.
 */
public final class HeapWatch {

  /** The peaks of a watch, in bytes; {@code problem} is non-null when there are none to trust. */
  public record Peaks(long usedBytes, long retainedBytes, int samples, String problem) {

    static Peaks none(String problem) {
      return new Peaks(-1, -1, 0, problem);
    }

    /** The peak used heap in MiB, NaN without samples. */
    public double usedMiB() {
      return samples == 0 ? Double.NaN : usedBytes / 1048576.0;
    }

    /** The peak retained heap in MiB, NaN without samples. */
    public double retainedMiB() {
      return samples == 0 ? Double.NaN : retainedBytes / 1048576.0;
    }
  }

  private final Process process;
  private final Thread reader;
  private final Columns columns = new Columns();
  private volatile String problem;
  private boolean ended; // guarded by columns

  private HeapWatch(Process process) {
    this.process = process;
    this.reader = new Thread(this::read, "heap-watch");
    reader.setDaemon(true);
  }

  /**
   * Starts following JVM {@code pid} every {@code intervalMs}; a watch that could not start (no
   * {@code jstat} in this JDK) returns its problem from {@link #stop}.
   */
  public static HeapWatch start(long pid, long intervalMs) {
    Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
    if (!Files.isExecutable(jstat)) {
      return failed("no jstat in " + jstat.getParent());
    }
    try {
      Process p =
          new ProcessBuilder(
                  jstat.toString(), "-gc", Long.toString(pid), Math.max(1, intervalMs) + "ms")
              .redirectErrorStream(true)
              .start();
      HeapWatch w = new HeapWatch(p);
      w.reader.start();
      return w;
    } catch (IOException e) {
      return failed("jstat did not start: " + e.getMessage());
    }
  }

  private static HeapWatch failed(String why) {
    HeapWatch w = new HeapWatch(null);
    w.problem = why;
    w.ended = true;
    return w;
  }

  /**
   * Waits until {@code n} samples are in, or {@code jstat} has ended, or {@code timeoutMs} passed:
   * whether there are {@code n}. A phase can start once its watch is known to be reading.
   */
  public boolean awaitSamples(int n, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    synchronized (columns) {
      while (columns.samples < n && !ended) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          break;
        }
        columns.wait(left);
      }
      return columns.samples >= n;
    }
  }

  /** Stops the {@code jstat} process (waits at most 5 s for it) and returns the peaks. */
  public Peaks stop() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
        reader.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (columns) {
      if (columns.samples == 0) {
        return Peaks.none(problem != null ? problem : "jstat gave no sample");
      }
      return new Peaks(columns.peakUsed, columns.peakRetained, columns.samples, problem);
    }
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = in.readLine()) != null) {
        String unread;
        synchronized (columns) {
          unread = columns.accept(line);
          columns.notifyAll();
        }
        if (unread != null && problem == null) {
          problem = "jstat: " + unread;
        }
      }
    } catch (IOException e) {
      // the process was stopped: the peaks so far stand
    } finally {
      synchronized (columns) {
        ended = true;
        columns.notifyAll();
      }
    }
  }

  /**
   * The columns of {@code jstat -gc} output and the peaks of the lines read so far. Package-private
   * for its test; not thread-safe (the watch locks it).
   */
  static final class Columns {
    private int s0u = -1;
    private int s1u = -1;
    private int eu = -1;
    private int ou = -1;
    private int width;
    long peakUsed;
    long peakRetained;
    int samples;

    /**
     * Reads one line: the header (which names the columns) or a sample (KiB values with a decimal
     * point). Returns the line when it is neither, as the reason there may be no peaks, else null.
     */
    String accept(String line) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 0 && f[0].equals("S0C")) {
        width = f.length;
        for (int i = 0; i < f.length; i++) {
          switch (f[i]) {
            case "S0U" -> s0u = i;
            case "S1U" -> s1u = i;
            case "EU" -> eu = i;
            case "OU" -> ou = i;
            default -> {}
          }
        }
        return s0u < 0 || s1u < 0 || eu < 0 || ou < 0 ? line : null;
      }
      if (width == 0 || f.length != width) {
        return line.isBlank() ? null : line;
      }
      try {
        long retained = kib(f[s0u]) + kib(f[s1u]) + kib(f[ou]);
        long used = retained + kib(f[eu]);
        peakUsed = Math.max(peakUsed, used);
        peakRetained = Math.max(peakRetained, retained);
        samples++;
        return null;
      } catch (NumberFormatException e) {
        return line;
      }
    }

    private static long kib(String v) {
      return (long) (Double.parseDouble(v) * 1024);
    }
  }
}
