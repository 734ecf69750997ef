package io.slipstream.cluster.member;

import java.util.List;

/**
 * How one Slipstream member joins its cluster and how the cluster protects topic logs.
 *
 * <p>Immutable; the compact constructor validates each value with a sentence naming its key.
 *
 * @param clusterName the Hazelcast cluster name; members with another name never join
 * @param host the interface to bind and advertise ({@code cluster.host})
 * @param port this member's Hazelcast port ({@code cluster.port})
 * @param members {@code host:port} of the members to join by TCP-IP ({@code cluster.members})
 * @param partitionCount Hazelcast partitions; must be the same on every member
 * @param minMembers below this many members publishes get 503 {@code no-quorum} ({@code
 *     cluster.minMembers})
 * @param backupAckTimeoutMs how long a write waits for its backup's ack before it ends as
 *     indeterminate ({@code hazelcast.operation.backup.timeout.millis})
 * @param backupSyncIntervalSeconds how often a primary compares replica versions with its backups
 *     and repairs a backup that refused ({@code hazelcast.partition.backup.sync.interval}): the
 *     longest a topic's publishes stay indeterminate after a refusal
 * @param callTimeoutMs a call without an answer for this long ends as indeterminate ({@code
 *     hazelcast.operation.call.timeout.millis})
 * @param heartbeatIntervalSeconds {@code hazelcast.heartbeat.interval.seconds}
 * @param maxNoHeartbeatSeconds a hung member is removed after this silence ({@code
 *     hazelcast.max.no.heartbeat.seconds}); a killed one much sooner, by its reset sockets
 */
public record ClusterSettings(
    String clusterName,
    String host,
    int port,
    List<String> members,
    int partitionCount,
    int minMembers,
    long backupAckTimeoutMs,
    int backupSyncIntervalSeconds,
    long callTimeoutMs,
    int heartbeatIntervalSeconds,
    int maxNoHeartbeatSeconds) {

  /** Default {@code clusterName}. */
  public static final String DEFAULT_CLUSTER_NAME = "slipstream";
  /** Default {@code host}: loopback; production sets the member's own address. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default {@code port}: Hazelcast's 5701. */
  public static final int DEFAULT_PORT = 5701;
  /** Default {@code partitionCount}: Hazelcast's 271. */
  public static final int DEFAULT_PARTITION_COUNT = 271;
  /** Default {@code minMembers}: 2, so that every acknowledged publish has two copies. */
  public static final int DEFAULT_MIN_MEMBERS = 2;
  /** Default {@code backupAckTimeoutMs}: Hazelcast's 5,000 ms. */
  public static final long DEFAULT_BACKUP_ACK_TIMEOUT_MS = 5_000;
  /**
   * Default {@code backupSyncIntervalSeconds}: 5 s instead of Hazelcast's 30, so a refused backup
   * is repaired within seconds; the check is one small message per partition and backup.
   */
  public static final int DEFAULT_BACKUP_SYNC_INTERVAL_SECONDS = 5;
  /** Default {@code callTimeoutMs}: 10,000 ms (shared/notes/cluster.md §3.3). */
  public static final long DEFAULT_CALL_TIMEOUT_MS = 10_000;
  /** Default {@code heartbeatIntervalSeconds}: Hazelcast's 5 s. */
  public static final int DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 5;
  /** Default {@code maxNoHeartbeatSeconds}: 30 s, half Hazelcast's 60, still safe under GC. */
  public static final int DEFAULT_MAX_NO_HEARTBEAT_SECONDS = 30;

  public ClusterSettings {
    require(clusterName != null && !clusterName.isBlank(), "cluster.name must not be blank");
    require(host != null && !host.isBlank(), "cluster.host must not be blank");
    require(port > 0 && port < 65_536, "cluster.port must be 1..65535, was " + port);
    require(members != null, "cluster.members is required (may be empty)");
    members = List.copyOf(members);
    require(partitionCount >= 1, "cluster.partitionCount must be at least 1");
    require(minMembers >= 1, "cluster.minMembers must be at least 1, was " + minMembers);
    require(backupAckTimeoutMs >= 1, "cluster.backupAckTimeoutMs must be positive");
    require(backupSyncIntervalSeconds >= 1, "cluster.backupSyncIntervalSeconds must be positive");
    require(callTimeoutMs >= 1, "cluster.callTimeoutMs must be positive");
    require(heartbeatIntervalSeconds >= 1, "cluster.heartbeatIntervalSeconds must be positive");
    require(
        maxNoHeartbeatSeconds > heartbeatIntervalSeconds,
        "cluster.maxNoHeartbeatSeconds must exceed cluster.heartbeatIntervalSeconds");
  }

  /** The defaults, joining {@code members}. */
  public static ClusterSettings defaults(List<String> members) {
    return new ClusterSettings(
        DEFAULT_CLUSTER_NAME, DEFAULT_HOST, DEFAULT_PORT, members, DEFAULT_PARTITION_COUNT,
        DEFAULT_MIN_MEMBERS, DEFAULT_BACKUP_ACK_TIMEOUT_MS, DEFAULT_BACKUP_SYNC_INTERVAL_SECONDS,
        DEFAULT_CALL_TIMEOUT_MS, DEFAULT_HEARTBEAT_INTERVAL_SECONDS,
        DEFAULT_MAX_NO_HEARTBEAT_SECONDS);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
