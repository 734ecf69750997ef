package io.slipstream.server.bootstrap;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slipstream.cluster.session.SessionMap;
import io.slipstream.core.spi.SessionStore;
import io.slipstream.core.spi.local.LocalSessionStores;
import io.slipstream.core.time.Clock;
import io.slipstream.server.auth.TokenVerifier;
import io.slipstream.server.cluster.ClusterNode;
import io.slipstream.server.cluster.Members;
import io.slipstream.server.config.JwtKeys;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.connection.BufferBudget;
import io.slipstream.server.connection.ConnectionRegistry;
import io.slipstream.server.connection.ConnectionServices;
import io.slipstream.server.connection.RemoteConnections;
import io.slipstream.server.eventbus.Lifecycle;
import io.slipstream.server.http.ClusterApi;
import io.slipstream.server.metrics.Metrics;
import io.slipstream.server.topic.ChangeBatch;
import io.slipstream.server.topic.LocalCodec;
import io.slipstream.server.topic.Sequencing;
import io.slipstream.server.topic.TopicRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running Slipstream node: sequencers for the topics (on their own worker threads, see {@link
 * Sequencing}), one edge verticle per event loop, and the registries they share.
 *
 * <p>Thread-safe. {@link #start} deploys everything; {@link #shutdown} drains: {@code /health}
 * turns 503, new sockets are refused, every client is closed with 1012, then the verticles go.
 */
public final class SlipstreamServer {

  private final Vertx vertx;
  private final SlipstreamConfig config;
  private final TopicRegistry topics;
  private final ConnectionRegistry connections;
  private final SessionStore sessions;
  private final RemoteConnections remote;
  private final Metrics metrics;
  private final Clock clock;
  private final Sequencing sequencing;

  /** The cluster this node is a member of, or null for a single node. */
  private final ClusterNode cluster;

  private final Members members;
  private UUID membershipListener;
  private long sweeper = -1;
  private BufferBudget budget;
  private final AtomicBoolean serving = new AtomicBoolean();
  private final List<String> deployments = new ArrayList<>();
  private int port;

  private SlipstreamServer(
      Vertx vertx,
      SlipstreamConfig config,
      Metrics metrics,
      Clock clock,
      ClusterNode cluster,
      SessionStore sessions,
      RemoteConnections remote) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    // One sequencer thread per processor: more would only contend for the cores.
    int shards = Math.max(1, Runtime.getRuntime().availableProcessors());
    // In a cluster the topics are follower replicas of the authority (docs/cluster.md).
    this.topics =
        new TopicRegistry(
            config.maxTopics(), config.replayLogSize(), config.replayLogBytes(), cluster != null);
    this.sequencing =
        new Sequencing(
            vertx, config, topics, metrics, shards, cluster == null ? null : cluster.hazelcast());
    // Cluster-unique connection ids: a node's id is a UUID; its first 8 hex digits tell the
    // nodes of a cluster apart (a clash would only merge two nodes' ids in /api/connections).
    this.connections =
        new ConnectionRegistry(
            config.maxConnections(),
            config.access().maxConnectionsPerAddress(),
            cluster == null ? "" : cluster.nodeId().substring(0, 8) + "-");
    this.members =
        cluster == null
            ? null
            : new Members(vertx, cluster, connections, () -> sequencing.clusterFeed().stats());
    this.sessions =
        sessions != null
            ? sessions
            : LocalSessionStores.create(
                config.sessionTtlMs(), config.maxSessions(), config.maxSubscriptions(), clock);
    // In a cluster, a session's old connection on another node is closed through its node.
    this.remote =
        remote != null
            ? remote
            : members != null ? members.remote() : RemoteConnections.UNREACHABLE;
    metrics.gauge("slipstream.connections", "Open client connections", connections::size);
    metrics.gauge("slipstream.topics", "Topics held", topics::size);
    metrics.gauge(
        "slipstream.sessions", "Sessions held, attached or suspended", this.sessions::size);
    metrics.gauge(
        "slipstream.sessions.attached",
        "Sessions attached to a connection on this node",
        metrics::activeConnections);
    metrics.gauge(
        "slipstream.sessions.suspended",
        "Sessions held and attached to no connection of this node (waiting for a resume)",
        () -> Math.max(0, this.sessions.size() - metrics.activeConnections()));
  }

  /** Starts a node on {@code vertx}; the future fails when, e.g., the port is taken. */
  public static Future<SlipstreamServer> start(Vertx vertx, SlipstreamConfig config) {
    return start(vertx, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /**
   * Starts a node whose {@code /metrics} serves {@code registry}: pass the registry Vert.x was
   * built with ({@code VertxMeters.factory}) to include Vert.x's own meters.
   */
  public static Future<SlipstreamServer> start(
      Vertx vertx, SlipstreamConfig config, PrometheusMeterRegistry registry) {
    return start(vertx, config, registry, Clock.system());
  }

  /**
   * Starts a node whose sessions, connections and lifecycle events read {@code clock}: durations
   * from its monotonic {@link Clock#millis()}, instants from {@link Clock#wallMillis()}. For tests
   * that step the wall clock.
   */
  public static Future<SlipstreamServer> start(
      Vertx vertx, SlipstreamConfig config, PrometheusMeterRegistry registry, Clock clock) {
    return start(vertx, config, registry, clock, null, RemoteConnections.UNREACHABLE);
  }

  /**
   * Starts a node whose sessions live in {@code sessions} (null: this node's memory, bounded by the
   * config's {@code sessionTtlMs}, {@code maxSessions} and {@code maxSubscriptions}), and which
   * reaches connections on other nodes, whose sessions are resumed here, through {@code remote}.
   * The node sets the store's listener and calls its {@link SessionStore#expireDue} about once a
   * second.
   */
  public static Future<SlipstreamServer> start(
      Vertx vertx,
      SlipstreamConfig config,
      PrometheusMeterRegistry registry,
      Clock clock,
      SessionStore sessions,
      RemoteConnections remote) {
    SlipstreamServer s =
        new SlipstreamServer(
            vertx,
            config,
            new Metrics(registry, config.metricsTopicPatterns()),
            clock,
            null,
            sessions,
            remote);
    return s.deploy().map(v -> s);
  }

  /**
   * Starts a cluster member on {@code node}'s clustered Vert.x: its topics follow the cluster's
   * authority, its sessions live in the cluster's session map (a client resumes on any node), and
   * it serves once every replica has caught up with the authority (docs/cluster.md).
   */
  public static Future<SlipstreamServer> start(
      ClusterNode node, SlipstreamConfig config, PrometheusMeterRegistry registry) {
    SlipstreamServer s =
        new SlipstreamServer(
            node.vertx(),
            config,
            new Metrics(registry, config.metricsTopicPatterns()),
            Clock.system(),
            node,
            SessionMap.store(node.hazelcast(), ClusterNode.sessions(config)),
            null);
    return s.deploy().map(v -> s);
  }

  private Future<Void> deploy() {
    registerCodecs(vertx.eventBus());
    Lifecycle lifecycle = new Lifecycle(vertx.eventBus(), clock);
    budget = new BufferBudget(vertx, config.bufferBudgetBytes());
    budget.start();
    metrics.gauge(
        "slipstream.buffer.pending.bytes",
        "Pending bytes of all connection buffers on this node, as each publishes them after its"
            + " pump turn (buffer.budgetBytes)",
        budget::totalBytes);
    metrics.gauge(
        "slipstream.buffer.pending.bytes.peak",
        "The highest slipstream_buffer_pending_bytes since the node started",
        budget::peakBytes);
    metrics.gauge(
        "slipstream.buffer.budget.bytes",
        "buffer.budgetBytes: the bound on all connection buffers' pending bytes together",
        budget::budgetBytes);
    ConnectionServices services =
        new ConnectionServices(
            config,
            topics,
            connections,
            sessions,
            remote,
            lifecycle,
            metrics,
            clock,
            // The keys were checked when the settings were loaded; read again here, at start.
            TokenVerifier.create(vertx, JwtKeys.load(config), clock),
            budget);
    sessions.listen(
        (session, reason) -> lifecycle.publish(Lifecycle.Event.EXPIRED, session, null, reason));
    // Sessions expire at most a second (or a quarter of the TTL) after their TTL.
    long sweepMs = Math.max(10, Math.min(1_000, config.sessionTtlMs() / 4));
    sweeper = vertx.setPeriodic(sweepMs, t -> sessions.expireDue());
    // Every edge verticle must listen on the same concrete port for Vert.x to share it.
    int listenPort = config.port() == 0 ? freePort(config.host()) : config.port();
    ServerVerticle first = new ServerVerticle(services, serving::get, listenPort, clusterInfo());
    Future<Void> control = members == null ? Future.succeededFuture() : members.start();
    if (cluster != null) {
      // A member that died may have left gaps no batch will fill: check every tip at once.
      membershipListener =
          cluster
              .hazelcast()
              .getCluster()
              .addMembershipListener(
                  new MembershipListener() {
                    @Override
                    public void memberAdded(MembershipEvent e) {}

                    @Override
                    public void memberRemoved(MembershipEvent e) {
                      sequencing.clusterFeed().memberRemoved();
                    }
                  });
    }
    return control
        .compose(v -> sequencing.deploy())
        .compose(
            ids -> {
              deployments.addAll(ids);
              return vertx.deployVerticle(first);
            })
        .compose(
            id -> {
              deployments.add(id);
              port = first.actualPort();
              List<Future<String>> rest = new ArrayList<>();
              for (int i = 1; i < config.eventLoops(); i++) {
                rest.add(
                    vertx.deployVerticle(
                        new ServerVerticle(services, serving::get, port, clusterInfo())));
              }
              return Future.all(rest);
            })
        .map(
            all -> {
              for (int i = 0; i < all.size(); i++) {
                deployments.add(all.resultAt(i));
              }
              serving.set(true);
              return null;
            });
  }

  /** What the HTTP API asks of the cluster in cluster mode, else null. */
  private ClusterApi clusterInfo() {
    return members;
  }

  /** The cluster this node is a member of, or null for a single node. */
  public ClusterNode cluster() {
    return cluster;
  }

  /** A port that was free a moment ago, for {@code port = 0}. */
  private static int freePort(String host) {
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return probe.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("no free port on " + host, e);
    }
  }

  private static void registerCodecs(EventBus eb) {
    register(eb, ChangeBatch.class);
  }

  private static <T> void register(EventBus eb, Class<T> type) {
    try {
      eb.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // A second node in the same Vert.x instance shares the codec.
    }
  }

  /** The port HTTP, WebSocket and SockJS listen on. */
  public int port() {
    return port;
  }

  /** The node's topics. */
  public TopicRegistry topics() {
    return topics;
  }

  /** The node's open connections. */
  public ConnectionRegistry connections() {
    return connections;
  }

  /** The node's session store. */
  public SessionStore sessions() {
    return sessions;
  }

  /** The node's budget over all connection buffers ({@code buffer.budgetBytes}). */
  public BufferBudget budget() {
    return budget;
  }

  /** Whether the node serves ({@code /health} 200). */
  public boolean isServing() {
    return serving.get();
  }

  /**
   * Drains: {@code /health} turns 503, new sockets are refused, and every client is closed with
   * 1012 so it reconnects (elsewhere) and resumes. The HTTP API keeps answering.
   */
  public Future<Void> drain() {
    serving.set(false);
    if (budget != null) {
      budget.stop();
    }
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
    return connections.closeAllRestarting();
  }

  /** Drains, then undeploys every verticle; what SIGTERM runs. */
  public Future<Void> shutdown() {
    return drain()
        // Publishes already asked for are answered before the sequencers go: a leaving member
        // finishes what it accepted (bounded: each has its publishTimeoutMs deadline).
        .compose(v -> sequencing.quiesce(config.publishTimeoutMs() + 1_000))
        .compose(
            v -> {
              List<Future<Void>> undeploys = new ArrayList<>();
              undeploys.add(sequencing.stop());
              if (members != null) {
                undeploys.add(members.stop());
              }
              if (membershipListener != null) {
                cluster.hazelcast().getCluster().removeMembershipListener(membershipListener);
                membershipListener = null;
              }
              for (String id : deployments) {
                undeploys.add(vertx.undeploy(id));
              }
              deployments.clear();
              return Future.join(undeploys).<Void>mapEmpty();
            })
        .otherwiseEmpty()
        .andThen(ar -> closeSessions());
  }

  /** A store with listeners of its own (the cluster's) lets go of them. */
  private void closeSessions() {
    if (sessions instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // Shutting down anyway: the member leaves next, taking its listeners with it.
      }
    }
  }
}
