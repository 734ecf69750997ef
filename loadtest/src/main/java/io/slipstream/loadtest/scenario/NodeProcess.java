package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.client.Endpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Slipstream node the tool started itself: a child JVM of the server jar on 127.0.0.1, its
 * output appended to a log file, signalled only through the {@link Process} the tool holds (by its
 * PID), never by name. It can be killed ({@code kill -9}), hung ({@code kill -STOP}) and started
 * again on the same ports.
 *
 * <p>Not thread-safe: the scenario's thread drives it.
 */
final class NodeProcess {

  /** How long a SIGTERM'd node may take to leave before it is killed. */
  static final long TERM_TIMEOUT_MS = 20_000;

  private final int index;
  private final int httpPort;
  private final int clusterPort;
  private final List<String> command;
  private final Path log;
  private final ServerApi api;
  private Process process;
  private boolean hung;

  /**
   * A node, not started yet.
   *
   * @param command the whole command line but the log (java, JVM options, -jar, flags)
   */
  NodeProcess(int index, int httpPort, int clusterPort, List<String> command, Path log) {
    this.index = index;
    this.httpPort = httpPort;
    this.clusterPort = clusterPort;
    this.command = List.copyOf(command);
    this.log = log;
    this.api = new ServerApi(url());
  }

  /** Starts the JVM (again, after a kill); its output is appended to the log. */
  void start() {
    if (alive()) {
      throw new IllegalStateException("node " + index + " is already running");
    }
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + index + ": " + e.getMessage(), e);
    }
    hung = false;
  }

  /** {@code kill -9}: the JVM dies at once, without leaving the cluster. */
  void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly(); // SIGKILL on Linux, to this PID only
    waitFor(10_000);
  }

  /**
   * {@code kill -STOP}: the JVM stops running but keeps its sockets, as a hung host would; only
   * the cluster's heartbeat can tell. Never continued: a SIGCONT after the cluster removed it
   * would be a split-brain merge, which is out of scope.
   */
  void hang() {
    signal("-STOP");
    hung = true;
  }

  /** Sends SIGTERM without waiting (a cluster's nodes leave in parallel). */
  void terminate() {
    if (alive() && !hung) {
      process.destroy();
    }
  }

  /** Waits up to {@code timeoutMs} for the JVM to exit; returns whether it did. */
  boolean waitFor(long timeoutMs) {
    if (process == null) {
      return true;
    }
    try {
      return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void signal(String signal) {
    if (!alive()) {
      throw new IllegalStateException("node " + index + " is not running");
    }
    List<String> cmd = new ArrayList<>(List.of("kill", signal, Long.toString(process.pid())));
    try {
      Process k = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(String.join(" ", cmd) + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Whether it was SIGSTOP'd (and not killed since). */
  boolean hung() {
    return hung && alive();
  }

  /** Whether it runs and is not hung: it can answer. */
  boolean serving() {
    return alive() && !hung;
  }

  int index() {
    return index;
  }

  long pid() {
    return process == null ? -1 : process.pid();
  }

  /** {@code http://127.0.0.1:<port>}. */
  String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  Endpoint endpoint() {
    return new Endpoint(false, "127.0.0.1", httpPort, "/");
  }

  /** Where it listens for the cluster, as {@code /api/cluster} names members. */
  String clusterAddress() {
    return "127.0.0.1:" + clusterPort;
  }

  Path log() {
    return log;
  }

  ServerApi api() {
    return api;
  }

  @Override
  public String toString() {
    return "node " + index + " (" + url() + ", pid " + pid() + ")";
  }
}
