package io.slipstream.server.testing;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slipstream.cluster.member.ClusterSettings;
import io.slipstream.cluster.session.SessionLimits;
import io.slipstream.server.bootstrap.SlipstreamServer;
import io.slipstream.server.cluster.ClusterNode;
import io.slipstream.server.config.SlipstreamConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A Slipstream cluster in this JVM for tests: {@code n} nodes, each a clustered Vert.x over its own
 * embedded Hazelcast member joined by TCP-IP on 127.0.0.1, with fast failure detection, and a
 * {@link SlipstreamServer} on a free port of each (as ClusterIT builds its three, docs/cluster.md).
 *
 * <p>Confined to the test thread that starts it: {@link #drain}, {@link #stop} and {@link #close}
 * block on the nodes' futures. Bounded: {@code n} nodes, each drained and stopped at most once.
 */
public final class TestCluster implements AutoCloseable {

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<SlipstreamServer> servers = new ArrayList<>();
  private final boolean[] drained;
  private final boolean[] stopped;

  private TestCluster(int n) {
    this.drained = new boolean[n];
    this.stopped = new boolean[n];
  }

  /** Starts {@code n} members, waits until they see each other, then a server on each. */
  public static TestCluster start(int n, SlipstreamConfig config) throws IOException {
    TestCluster cluster = new TestCluster(n);
    String name = "slipstream-test-" + UUID.randomUUID();
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      addresses.add("127.0.0.1:" + freePort());
    }
    try {
      for (int i = 0; i < n; i++) {
        ClusterSettings s =
            new ClusterSettings(
                name,
                "127.0.0.1",
                Integer.parseInt(addresses.get(i).split(":")[1]),
                addresses,
                31,
                2,
                2_000,
                1,
                5_000,
                1,
                5);
        cluster.nodes.add(
            ClusterNode.start(
                    Vertx.builder()
                        .with(
                            new VertxOptions()
                                .setEventLoopPoolSize(2)
                                .setEventBusOptions(ClusterNode.eventBus(s))),
                    s,
                    null,
                    SessionLimits.DEFAULTS)
                .await());
      }
      cluster.awaitMembers(n);
      for (ClusterNode node : cluster.nodes) {
        cluster.servers.add(
            SlipstreamServer.start(
                    node, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .await());
      }
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The HTTP and WebSocket port of node {@code i}. */
  public int port(int i) {
    return servers.get(i).port();
  }

  public SlipstreamServer server(int i) {
    return servers.get(i);
  }

  public ClusterNode node(int i) {
    return nodes.get(i);
  }

  /**
   * Drains node {@code i}'s server: its clients are closed with 1012 (the contract's "restarting,
   * reconnect elsewhere") and new sockets refused; its member stays in the cluster.
   */
  public void drain(int i) {
    if (drained[i]) {
      return;
    }
    drained[i] = true;
    servers.get(i).shutdown().await();
  }

  /** Stops node {@code i} as an operator does: its server drains, then its member leaves. */
  public void stop(int i) {
    if (stopped[i]) {
      return;
    }
    stopped[i] = true;
    try {
      if (i < servers.size()) { // a start that failed may have left a node without its server
        drain(i);
      }
    } finally {
      nodes.get(i).vertx().close().await();
    }
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        stop(i);
      } catch (RuntimeException ignored) {
        // Stopping what is left; one that fails must not keep the others running.
      }
    }
  }

  private void awaitMembers(int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!nodes.stream()
        .allMatch(
            node ->
                node.hazelcast().getCluster().getMembers().size() == n
                    && node.hazelcast().getPartitionService().isClusterSafe())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the " + n + " members did not join within 30 s");
      }
      try {
        Thread.sleep(20); // polls a state Hazelcast reaches by itself; there is no event to await
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /**
   * A port below Linux's ephemeral range (32768 and up), so no outgoing connection of this JVM
   * takes it between the pick and the member's bind.
   */
  private static int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException taken) {
        // Try another.
      }
    }
    throw new IOException("no free port in [20000, 32000)");
  }
}
