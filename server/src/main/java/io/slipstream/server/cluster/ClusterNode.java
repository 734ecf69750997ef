package io.slipstream.server.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.slipstream.cluster.member.ClusterSettings;
import io.slipstream.cluster.member.MemberConfig;
import io.slipstream.server.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * This node's membership: a clustered Vert.x whose cluster manager is an embedded Hazelcast data
 * member (TCP-IP join, no multicast), built from {@link ClusterConfig} or a Hazelcast file.
 *
 * <p>Immutable once started; thread-safe. Closing the Vert.x leaves the cluster gracefully
 * (partitions migrate first, shared/notes/cluster.md §1.3).
 */
public final class ClusterNode {

  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final ClusterSettings settings;

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager, ClusterSettings settings) {
    this.vertx = vertx;
    this.manager = manager;
    this.settings = settings;
  }

  /** The member settings {@code config} stands for. */
  public static ClusterSettings settings(ClusterConfig config) {
    ClusterSettings d = ClusterSettings.defaults(config.members());
    return new ClusterSettings(
        d.clusterName(),
        config.host(),
        config.port(),
        config.members(),
        d.partitionCount(),
        config.minMembers(),
        d.backupAckTimeoutMs(),
        d.backupSyncIntervalSeconds(),
        d.callTimeoutMs(),
        config.heartbeatSeconds(),
        config.failureSeconds());
  }

  /**
   * Joins (or founds) the cluster and builds the clustered Vert.x on {@code builder}, whose options
   * and metrics the caller set; fails when the member cannot bind or join.
   *
   * @param hazelcastConfig a Hazelcast XML/YAML file to start from, or null for {@code settings}
   */
  public static Future<ClusterNode> start(
      VertxBuilder builder, ClusterSettings settings, String hazelcastConfig) {
    Config cfg;
    try {
      cfg = MemberConfig.build(settings, hazelcastConfig);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(cfg);
    return builder
        .withClusterManager(manager)
        .buildClustered()
        .map(v -> new ClusterNode(v, manager, settings));
  }

  /** The event-bus options a member uses: the event bus binds the member's host. */
  public static EventBusOptions eventBus(ClusterSettings settings) {
    return new EventBusOptions().setHost(settings.host());
  }

  /** The clustered Vert.x. */
  public Vertx vertx() {
    return vertx;
  }

  /** The embedded Hazelcast member. */
  public HazelcastInstance hazelcast() {
    return manager.getHazelcastInstance();
  }

  /** This node's id in the cluster (Vert.x's node id, a UUID). */
  public String nodeId() {
    return manager.getNodeId();
  }

  /** The settings this member was built with. */
  public ClusterSettings settings() {
    return settings;
  }
}
