package io.slipstream.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * How a node joins a cluster (docs/cluster.md, docs/protocol.md §12 {@code cluster.*}): off by
 * default, so the jar runs one node with no Hazelcast started.
 *
 * <p>Immutable.
 *
 * @param enabled whether the node joins a cluster ({@code cluster.enabled}, flag {@code --cluster})
 * @param host the address Hazelcast binds and announces ({@code cluster.host}, flag {@code
 *     --cluster-host}); default {@value #DEFAULT_HOST}
 * @param port Hazelcast's member port ({@code cluster.port}, flag {@code --cluster-port}); default
 *     {@value #DEFAULT_PORT}
 * @param members the other members to join, {@code host:port} each, TCP-IP, no multicast ({@code
 *     cluster.members}, flag {@code --cluster-members h:p,…}); empty starts a cluster of one that
 *     others join
 * @param minMembers fewer members than this and publishes are refused 503 {@code no-quorum}
 *     (guarantee 9: a 200 is on two copies) ({@code cluster.minMembers}); default {@value
 *     #DEFAULT_MIN_MEMBERS}
 * @param hazelcastConfig a Hazelcast XML or YAML file to start from instead of the built-in member
 *     config, or null ({@code cluster.config}); the topic map, serialization and split-brain
 *     protection are added to it either way
 * @param heartbeatSeconds how often members tell each other they live ({@code
 *     cluster.heartbeatSeconds}); default {@value #DEFAULT_HEARTBEAT_SECONDS}
 * @param failureSeconds a member silent this long is removed: the stall a hung node costs the
 *     topics it holds, and the detection time of a kill -9 ({@code cluster.failureSeconds});
 *     default {@value #DEFAULT_FAILURE_SECONDS}; above {@code heartbeatSeconds}
 */
public record ClusterConfig(
    boolean enabled,
    String host,
    int port,
    List<String> members,
    int minMembers,
    String hazelcastConfig,
    int heartbeatSeconds,
    int failureSeconds) {

  /** Default {@code cluster.host}. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** Default {@code cluster.port}: Hazelcast's usual member port. */
  public static final int DEFAULT_PORT = 5701;

  /** Default {@code cluster.minMembers}: a primary and one backup. */
  public static final int DEFAULT_MIN_MEMBERS = 2;

  /** Default {@code cluster.heartbeatSeconds}. */
  public static final int DEFAULT_HEARTBEAT_SECONDS = 5;

  /**
   * Default {@code cluster.failureSeconds}: half Hazelcast's 60 s, long enough that a GC pause or a
   * busy machine does not remove a live member, short enough that a hung one costs seconds, not a
   * minute.
   */
  public static final int DEFAULT_FAILURE_SECONDS = 30;

  /** At most this many {@code cluster.members}: a seed list, not a directory. */
  public static final int MAX_MEMBERS = 64;

  /** Not clustered. */
  public static final ClusterConfig DEFAULTS =
      new ClusterConfig(
          false,
          DEFAULT_HOST,
          DEFAULT_PORT,
          List.of(),
          DEFAULT_MIN_MEMBERS,
          null,
          DEFAULT_HEARTBEAT_SECONDS,
          DEFAULT_FAILURE_SECONDS);

  public ClusterConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("cluster.host must not be blank");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("cluster.port must be 1..65535, was " + port);
    }
    if (members == null || members.size() > MAX_MEMBERS) {
      throw new IllegalArgumentException("cluster.members must list at most " + MAX_MEMBERS);
    }
    for (String m : members) {
      int colon = m.lastIndexOf(':');
      if (colon <= 0 || !m.substring(colon + 1).matches("\\d{1,5}")) {
        throw new IllegalArgumentException(
            "cluster.members must be host:port entries, was \"" + m + "\"");
      }
    }
    members = List.copyOf(members);
    if (minMembers < 1) {
      throw new IllegalArgumentException(
          "cluster.minMembers must be at least 1, was " + minMembers);
    }
    if (heartbeatSeconds < 1) {
      throw new IllegalArgumentException(
          "cluster.heartbeatSeconds must be at least 1, was " + heartbeatSeconds);
    }
    if (failureSeconds <= heartbeatSeconds) {
      throw new IllegalArgumentException(
          "cluster.failureSeconds must be above cluster.heartbeatSeconds, was " + failureSeconds);
    }
  }

  /** {@code h:p,h:p} as a list; blanks and empty entries are ignored. */
  public static List<String> parseMembers(String text) {
    List<String> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String t = part.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }
}
