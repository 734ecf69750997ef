package io.slipstream.loadtest.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * N Slipstream nodes the tool starts itself from the server jar on 127.0.0.1, on free ports: one
 * node without {@code --cluster}, or a cluster whose members list each other (TCP-IP join). The
 * tool only ever signals the processes it started here, by their PIDs.
 *
 * <p>Not thread-safe: the scenario's thread drives it.
 */
final class LocalCluster implements AutoCloseable {

  /**
   * How to start the nodes.
   *
   * @param jar the server jar
   * @param nodes how many; 1 runs a single node without {@code --cluster}
   * @param jvmArgs options of each JVM (heap, GC, JIT)
   * @param settings {@code key=value} server settings, each passed as {@code --set}
   * @param logDir where each node's output goes ({@code node-<i>.log})
   * @param startTimeoutMs how long the nodes may take to serve and, in a cluster, to see each other
   */
  record Settings(
      Path jar,
      int nodes,
      List<String> jvmArgs,
      List<String> settings,
      Path logDir,
      long startTimeoutMs) {

    Settings {
      jvmArgs = List.copyOf(jvmArgs);
      settings = List.copyOf(settings);
    }
  }

  private final Settings settings;
  private final List<NodeProcess> nodes;

  private LocalCluster(Settings settings, List<NodeProcess> nodes) {
    this.settings = settings;
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Starts every node at once and waits until each serves ({@code GET /health} 200) and, in a
   * cluster, until every node lists all members as reachable.
   *
   * @throws IllegalStateException when they do not within the timeout (everything is stopped)
   */
  static LocalCluster start(Settings s) {
    if (!Files.isRegularFile(s.jar())) {
      throw new IllegalStateException(
          "no server jar at " + s.jar() + ": build it (mvn -pl server -am package) or give --jar");
    }
    try {
      Files.createDirectories(s.logDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + s.logDir() + ": " + e.getMessage(), e);
    }
    int[] ports = freePorts(2 * s.nodes());
    List<String> members = new ArrayList<>();
    for (int i = 0; i < s.nodes(); i++) {
      members.add("127.0.0.1:" + ports[2 * i + 1]);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < s.nodes(); i++) {
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      cmd.addAll(s.jvmArgs());
      cmd.addAll(List.of("-jar", s.jar().toString()));
      cmd.addAll(List.of("--port", Integer.toString(ports[2 * i]), "--host", "127.0.0.1"));
      if (s.nodes() > 1) {
        cmd.addAll(
            List.of(
                "--cluster",
                "--cluster-host",
                "127.0.0.1",
                "--cluster-port",
                Integer.toString(ports[2 * i + 1]),
                "--cluster-members",
                String.join(",", members)));
      }
      for (String kv : s.settings()) {
        cmd.addAll(List.of("--set", kv));
      }
      nodes.add(
          new NodeProcess(
              i, ports[2 * i], ports[2 * i + 1], cmd, s.logDir().resolve("node-" + i + ".log")));
    }
    LocalCluster c = new LocalCluster(s, nodes);
    try {
      nodes.forEach(NodeProcess::start);
      long deadline = System.nanoTime() + s.startTimeoutMs() * 1_000_000L;
      for (NodeProcess n : nodes) {
        c.requireServing(n, deadline);
      }
      if (c.clustered() && !c.awaitMembers(remainingMs(deadline))) {
        throw new IllegalStateException(
            "the " + s.nodes() + " nodes did not all list each other as reachable members within "
                + s.startTimeoutMs() + " ms; last view: " + c.view() + c.logTails());
      }
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Starts {@code n} again (same ports) and waits until it serves and sees every member. */
  void restart(NodeProcess n) {
    n.start();
    long deadline = System.nanoTime() + settings.startTimeoutMs() * 1_000_000L;
    requireServing(n, deadline);
    if (clustered() && !awaitMembers(remainingMs(deadline))) {
      throw new IllegalStateException(
          n + " serves again but not every node lists all members as reachable; last view: "
              + view() + logTails());
    }
  }

  private void requireServing(NodeProcess n, long deadline) {
    while (!n.api().awaitHealthy(Math.min(1_000, remainingMs(deadline)))) {
      if (!n.alive()) {
        throw new IllegalStateException(n + " exited (" + n.log() + ")" + logTails());
      }
      if (remainingMs(deadline) <= 0) {
        throw new IllegalStateException(
            n + " did not answer GET /health with 200 within the start timeout" + logTails());
      }
    }
  }

  /**
   * Waits until every serving node lists as many members as nodes serve, all reachable; returns
   * whether that happened within {@code timeoutMs}. Polls: the cluster offers no event to await.
   */
  boolean awaitMembers(long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      if (everyServingNodeSeesAll()) {
        return true;
      }
      if (remainingMs(deadline) <= 0) {
        return false;
      }
      Harness.sleep(250);
    }
  }

  private boolean everyServingNodeSeesAll() {
    List<NodeProcess> up = serving();
    for (NodeProcess n : up) {
      try {
        if (!n.api().cluster().allReachable(up.size())) {
          return false;
        }
      } catch (RuntimeException e) {
        return false;
      }
    }
    return !up.isEmpty();
  }

  /** What the first serving node that answers says of the cluster, or null when none does. */
  ClusterView view() {
    for (NodeProcess n : serving()) {
      try {
        return n.api().cluster();
      } catch (RuntimeException e) {
        // the next one
      }
    }
    return null;
  }

  /** The node owning the run's topic (the only topic), or null when no serving node can tell. */
  NodeProcess owner() {
    ClusterView v = view();
    String address = v == null ? null : v.owner();
    return address == null ? null : byAddress(address);
  }

  /** The node listening for the cluster at {@code address}, or null. */
  NodeProcess byAddress(String address) {
    for (NodeProcess n : nodes) {
      if (n.clusterAddress().equals(address)) {
        return n;
      }
    }
    return null;
  }

  List<NodeProcess> nodes() {
    return nodes;
  }

  /** The nodes that run and are not hung. */
  List<NodeProcess> serving() {
    List<NodeProcess> out = new ArrayList<>();
    for (NodeProcess n : nodes) {
      if (n.serving()) {
        out.add(n);
      }
    }
    return out;
  }

  /** Whether the nodes run as a cluster (more than one). */
  boolean clustered() {
    return nodes.size() > 1;
  }

  /** The last lines of every node's log, for an error message. */
  String logTails() {
    StringBuilder sb = new StringBuilder();
    for (NodeProcess n : nodes) {
      sb.append("\n--- ").append(n.log()).append(" (last lines)\n").append(tail(n.log(), 15));
    }
    return sb.toString();
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** Every node leaves: SIGTERM to all at once, then a kill for any still there after a while. */
  @Override
  public void close() {
    nodes.forEach(NodeProcess::terminate);
    long deadline = System.nanoTime() + NodeProcess.TERM_TIMEOUT_MS * 1_000_000L;
    for (NodeProcess n : nodes) {
      if (n.hung() || !n.waitFor(Math.max(1, remainingMs(deadline)))) {
        n.kill();
      }
    }
  }

  private static long remainingMs(long deadlineNanos) {
    return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000L);
  }

  /** {@code n} distinct free ports of 127.0.0.1 (held together while chosen, then released). */
  private static int[] freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port: " + e.getMessage(), e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException e) {
          // released anyway
        }
      }
    }
  }
}
