package io.slipstream.server.bootstrap;

import io.slipstream.server.config.ConfigException;
import io.slipstream.server.config.ConfigLoader;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.log.Logging;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.slipstream.cluster.member.ClusterSettings;
import io.slipstream.server.cluster.ClusterNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The command-line entry point of the fat jar: {@code java -jar slipstream.jar [--port N] [--config
 * FILE] [--set KEY=VALUE]... [--help]}.
 *
 * <p>Runs on the main thread until the node has started, then returns; the node lives on Vert.x's
 * threads until the JVM is asked to stop, when a shutdown hook drains it (clients are closed with
 * 1012) and closes Vert.x. Exit codes: 0 after {@code --help}, 1 when the node cannot start (port
 * in use, …), 2 when a setting is bad (docs/protocol.md §12).
 */
public final class Main {

  /** Exit code when the node fails to start. */
  static final int EXIT_START_FAILED = 1;
  /** Exit code for a bad setting (docs/protocol.md §12, the README's settings). */
  static final int EXIT_BAD_CONFIG = 2;
  /** How long start may take before we give up; binding a port normally takes milliseconds. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** Budget for draining and closing Vert.x on shutdown, so a stuck close cannot hang the JVM. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  /**
   * A cluster member's budget: leaving waits for its partitions to migrate to the others (so no
   * topic is left on one copy), seconds for small state.
   */
  private static final Duration CLUSTER_STOP_TIMEOUT = Duration.ofSeconds(60);

  private Main() {}

  /** Loads the settings, starts a node and logs where it listens; see the class doc. */
  public static void main(String[] args) {
    List<String> argv = List.of(args);
    SlipstreamConfig config;
    try {
      if (ConfigLoader.helpRequested(argv)) {
        System.out.print(ConfigLoader.usage());
        return;
      }
      config = ConfigLoader.load(argv, System.getenv(), systemProperties());
    } catch (ConfigException e) {
      System.err.println("slipstream: " + e.getMessage());
      System.exit(EXIT_BAD_CONFIG);
      return;
    }
    // Before Vert.x, Netty and Hazelcast make their first loggers.
    Logging.configure(config.logFormat(), config.logLevels(), System.console() != null);

    // Vert.x's own meters (HTTP, event bus, pools) go to the registry that /metrics serves.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options =
        new VertxOptions()
            .setEventLoopPoolSize(config.eventLoops())
            // epoll where available: fewer allocations and copies per write than NIO.
            .setPreferNativeTransport(!"nio".equals(config.netTransport()))
            .setMetricsOptions(VertxMeters.options());
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Vertx vertx = null;
    SlipstreamServer server;
    try {
      if (config.cluster().enabled()) {
        ClusterSettings settings = ClusterNode.settings(config.cluster());
        options.setEventBusOptions(ClusterNode.eventBus(settings));
        ClusterNode node =
            await(
                ClusterNode.start(
                    NetTransports.apply(
                            Vertx.builder().with(options), config.netTransport(), System.err::println)
                        .withMetrics(VertxMeters.factory(registry)),
                    settings,
                    config.cluster().hazelcastConfig(),
                    ClusterNode.sessions(config)),
                deadline - System.nanoTime());
        vertx = node.vertx();
        server =
            await(SlipstreamServer.start(node, config, registry), deadline - System.nanoTime());
      } else {
        vertx =
            NetTransports.apply(
                    Vertx.builder().with(options), config.netTransport(), System.err::println)
                .withMetrics(VertxMeters.factory(registry))
                .build();
        server =
            await(SlipstreamServer.start(vertx, config, registry), deadline - System.nanoTime());
      }
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      System.err.println(
          "slipstream: cannot start on "
              + config.host()
              + ":"
              + config.port()
              + (config.cluster().enabled()
                  ? " (cluster member "
                      + config.cluster().host()
                      + ":"
                      + config.cluster().port()
                      + ")"
                  : "")
              + ": "
              + reason(e));
      if (vertx != null) {
        closeQuietly(vertx, System.nanoTime() + STOP_TIMEOUT.toNanos());
      }
      System.exit(EXIT_START_FAILED);
      return;
    }

    Vertx running = vertx;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    stop(
                        server,
                        running,
                        config.cluster().enabled() ? CLUSTER_STOP_TIMEOUT : STOP_TIMEOUT),
                "slipstream-shutdown"));
    System.out.println("Slipstream listening on http://" + config.host() + ":" + server.port());
  }

  /** Drains the node, then closes Vert.x (leaving the cluster), both within {@code budget}. */
  private static void stop(SlipstreamServer server, Vertx vertx, Duration budget) {
    long deadline = System.nanoTime() + budget.toNanos();
    try {
      await(server.shutdown(), deadline - System.nanoTime());
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      System.err.println("slipstream: shutdown incomplete: " + reason(e));
    }
    closeQuietly(vertx, deadline);
    System.out.println("Slipstream stopped");
  }

  private static void closeQuietly(Vertx vertx, long deadline) {
    try {
      // Closing is attempted even when the drain used up the budget; give it a moment.
      await(vertx.close(), Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1)));
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      System.err.println("slipstream: closing Vert.x failed: " + reason(e));
    }
  }

  private static <T> T await(Future<T> future, long timeoutNanos)
      throws ExecutionException, TimeoutException, InterruptedException {
    return future
        .toCompletionStage()
        .toCompletableFuture()
        .get(Math.max(timeoutNanos, 0), TimeUnit.NANOSECONDS);
  }

  private static String reason(Exception e) {
    if (e instanceof TimeoutException) {
      return "timed out";
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
    Throwable cause = e.getCause() == null ? e : e.getCause();
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  private static Map<String, String> systemProperties() {
    Properties properties = System.getProperties();
    Map<String, String> map = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      map.put(name, properties.getProperty(name));
    }
    return map;
  }
}
