package io.slipstream.loadtest.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Samples one process's CPU time and resident memory from {@code /proc}.
 *
 * <p>Thread-safe (stateless after construction). A missing {@code /proc} (not Linux) or a process
 * that has exited gives {@link #sample()} null rather than an exception: sampling is a
 * fire-and-forget measurement and must never stop a run.
 */
public final class ProcessProbe {

  /** One sample: cumulative CPU seconds, resident and peak resident bytes, thread count. */
  public record Sample(
      long nanoTime, double cpuSeconds, long rssBytes, long peakRssBytes, int threads) {}

  private static volatile long clockTicks = -1;

  private final String pid;
  private final Path stat;
  private final Path status;

  private ProcessProbe(String pid) {
    this.pid = pid;
    this.stat = Path.of("/proc", pid, "stat");
    this.status = Path.of("/proc", pid, "status");
  }

  /** A probe of process {@code pid}. */
  public static ProcessProbe of(long pid) {
    return new ProcessProbe(Long.toString(pid));
  }

  /** A probe of this JVM. */
  public static ProcessProbe self() {
    return new ProcessProbe("self");
  }

  /** The process id, or {@code self}. */
  public String pid() {
    return pid;
  }

  /**
   * CPU seconds so far per thread group ({@link ProcStat#threadGroup}), from {@code
   * /proc/PID/task}; empty when it cannot be read. Threads that ended are not counted.
   */
  public java.util.Map<String, Double> cpuByThreadGroup() {
    java.util.Map<String, Double> out = new java.util.TreeMap<>();
    Path tasks = Path.of("/proc", pid, "task");
    try (java.util.stream.Stream<Path> ts = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) ts::iterator) {
        try {
          String comm = Files.readString(t.resolve("comm"), StandardCharsets.UTF_8);
          ProcStat.Ticks ticks =
              ProcStat.parseStat(Files.readString(t.resolve("stat"), StandardCharsets.US_ASCII));
          if (ticks != null) {
            out.merge(
                ProcStat.threadGroup(comm), ticks.total() / (double) clockTicks(), Double::sum);
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return java.util.Map.of();
    }
    return out;
  }

  /**
   * The process's open file descriptors: the entries of {@code /proc/PID/fd} (sockets, files,
   * pipes, epoll and event fds); -1 when the directory cannot be listed (another user's process).
   */
  public int openFds() {
    try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc", pid, "fd"))) {
      long n = fds.count();
      return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Whether the process can be read now. */
  public boolean readable() {
    return Files.isReadable(stat);
  }

  /** A sample now, or null when the process cannot be read. */
  public Sample sample() {
    try {
      ProcStat.Ticks t = ProcStat.parseStat(Files.readString(stat, StandardCharsets.US_ASCII));
      if (t == null) {
        return null;
      }
      String st = Files.readString(status, StandardCharsets.UTF_8);
      return new Sample(
          System.nanoTime(),
          t.total() / (double) clockTicks(),
          ProcStat.statusBytes(st, "VmRSS"),
          ProcStat.statusBytes(st, "VmHWM"),
          t.threads());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** {@code getconf CLK_TCK}, once; 100 (Linux's universal value) when it cannot be run. */
  public static long clockTicks() {
    long t = clockTicks;
    if (t > 0) {
      return t;
    }
    t = 100;
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      if (p.waitFor(5, TimeUnit.SECONDS)) {
        String out =
            new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        long v = Long.parseLong(out);
        if (v > 0) {
          t = v;
        }
      } else {
        p.destroyForcibly();
      }
    } catch (IOException | NumberFormatException e) {
      // keep 100
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    clockTicks = t;
    return t;
  }

  /**
   * The process's heap in use right after a full GC ({@code GC.run}, then {@code GC.heap_info},
   * both in one {@code jcmd PID -f FILE}, so one short-lived JVM per call), in bytes; -1 when
   * {@code jcmd} is missing, fails or takes more than 30 s. Only meaningful for a JVM. It costs a
   * full GC pause in the process and about half a CPU-second for {@code jcmd} itself, so call it
   * between phases or every few seconds at most.
   */
  public long heapAfterGc() {
    if (pid.equals("self")) {
      System.gc();
      Runtime rt = Runtime.getRuntime();
      return rt.totalMemory() - rt.freeMemory();
    }
    String jcmd = jcmdPath();
    if (jcmd == null) {
      return -1;
    }
    Path commands = null;
    try {
      commands = Files.createTempFile("slipstream-loadtest-", ".jcmd");
      Files.writeString(commands, "GC.run\nGC.heap_info\n", StandardCharsets.US_ASCII);
      String out = run(jcmd, pid, "-f", commands.toString());
      return out == null ? -1 : ProcStat.heapUsed(out);
    } catch (IOException e) {
      return -1;
    } finally {
      deleteQuietly(commands);
    }
  }

  private static String jcmdPath() {
    Path home = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (Files.isExecutable(home)) {
      return home.toString();
    }
    return null;
  }

  /** Runs {@code cmd} with output to a temporary file, so a hung child cannot block a read. */
  private static String run(String... cmd) {
    Path out = null;
    try {
      out = Files.createTempFile("slipstream-loadtest-", ".out");
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? Files.readString(out, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      deleteQuietly(out);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file left behind is harmless
      }
    }
  }
}
