package io.slipstream.cluster.member;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import io.slipstream.cluster.log.LogSerialization;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.cluster.session.SessionLimits;
import io.slipstream.cluster.session.SessionMap;
import io.slipstream.cluster.session.SessionSerialization;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * Builds a member's Hazelcast {@link Config} from {@link ClusterSettings}: TCP-IP join only, the
 * topic-log map and its protection, the session map, and this module's serialization.
 *
 * <p>Stateless and thread-safe.
 */
public final class MemberConfig {

  /** The split-brain protection that makes topic-log calls fail below {@code minMembers}. */
  public static final String QUORUM_NAME = "slipstream.quorum";

  private MemberConfig() {}

  /**
   * A config for one member. It starts from Vert.x's {@code ConfigUtil.loadConfig()}, which holds
   * the maps the clustered event bus needs (vertx5.md §6), so the same config serves a plain
   * {@code HazelcastInstance} and a {@code HazelcastClusterManager}.
   */
  public static Config build(ClusterSettings s) {
    return build(s, SessionLimits.DEFAULTS);
  }

  /** A config for one member whose session map is bounded by {@code sessions}. */
  public static Config build(ClusterSettings s, SessionLimits sessions) {
    Config cfg = ConfigUtil.loadConfig();
    cfg.setClusterName(s.clusterName());
    network(cfg, s);
    return slipstream(cfg, s, sessions);
  }

  /**
   * A config for one member read from a Hazelcast XML or YAML file ({@code cluster.config}), for
   * what {@link ClusterSettings} does not cover (other joins, TLS, interfaces): the file's network
   * and cluster name are kept; the maps the clustered event bus needs are added when the file
   * lacks them, and the topic map, its protection and this module's serialization always are.
   *
   * @param file the file, or null for {@link #build(ClusterSettings, SessionLimits)}
   * @throws IllegalArgumentException when the file cannot be read or parsed
   */
  public static Config build(ClusterSettings s, String file, SessionLimits sessions) {
    if (file == null) {
      return build(s, sessions);
    }
    Config cfg;
    try {
      cfg = Config.loadFromFile(new java.io.File(file));
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("cluster.config " + file + ": " + e.getMessage(), e);
    }
    Config vertx = ConfigUtil.loadConfig();
    vertx.getMultiMapConfigs().forEach(cfg.getMultiMapConfigs()::putIfAbsent);
    vertx.getMapConfigs().forEach(cfg.getMapConfigs()::putIfAbsent);
    return slipstream(cfg, s, sessions);
  }

  /** What every member needs whatever its network: timings, the topic map, serialization. */
  private static Config slipstream(Config cfg, ClusterSettings s, SessionLimits sessions) {
    cfg.setProperty("hazelcast.wait.seconds.before.join", "0");
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty("hazelcast.partition.count", Integer.toString(s.partitionCount()));
    // Without it a write whose backup never acks still succeeds after the backup timeout, on the
    // primary alone; with it, that write and one whose primary left mid-call end as
    // IndeterminateOperationStateException (shared/notes/cluster.md §1.5). It is global: the event
    // bus's own maps get it too, which was checked to be harmless.
    cfg.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true");
    cfg.setProperty(
        "hazelcast.operation.backup.timeout.millis", Long.toString(s.backupAckTimeoutMs()));
    cfg.setProperty(
        "hazelcast.partition.backup.sync.interval",
        Integer.toString(s.backupSyncIntervalSeconds()));
    cfg.setProperty("hazelcast.operation.call.timeout.millis", Long.toString(s.callTimeoutMs()));
    cfg.setProperty(
        "hazelcast.heartbeat.interval.seconds", Integer.toString(s.heartbeatIntervalSeconds()));
    cfg.setProperty(
        "hazelcast.max.no.heartbeat.seconds", Integer.toString(s.maxNoHeartbeatSeconds()));
    cfg.addSplitBrainProtectionConfig(
        new SplitBrainProtectionConfig(QUORUM_NAME, true, s.minMembers()));
    cfg.addMapConfig(
        new MapConfig(TopicAuthority.MAP_NAME)
            // One sync backup: a 200 means two copies (docs/protocol.md §9, guarantee 9).
            .setBackupCount(1)
            .setAsyncBackupCount(0)
            // Entry processors work on the stored object: no (de)serialization per publish.
            .setInMemoryFormat(InMemoryFormat.OBJECT)
            .setSplitBrainProtectionName(QUORUM_NAME)
            // After a split the bigger side's entry wins; the smaller side's writes were refused.
            .setMergePolicyConfig(
                new MergePolicyConfig(
                    DiscardMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE)));
    // Sessions are not behind the quorum: below minMembers clients still connect and resume
    // (publishes stop, reads and delivery go on, docs/protocol.md §9).
    cfg.addMapConfig(SessionMap.config(sessions, s.partitionCount()));
    LogSerialization.register(cfg.getSerializationConfig());
    SessionSerialization.register(cfg.getSerializationConfig());
    return cfg;
  }

  private static void network(Config cfg, ClusterSettings s) {
    NetworkConfig net = cfg.getNetworkConfig();
    net.setPort(s.port()).setPortAutoIncrement(false);
    net.getInterfaces().setEnabled(true).addInterface(s.host());
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(s.members());
  }
}
