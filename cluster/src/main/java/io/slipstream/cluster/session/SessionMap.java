package io.slipstream.cluster.session;

import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import io.slipstream.core.time.Clock;

/**
 * The cluster's session map, {@code slipstream.sessions}: its configuration and the store over it.
 *
 * <p>Stateless and thread-safe.
 */
public final class SessionMap {

  /** The map's name. */
  public static final String MAP_NAME = "slipstream.sessions";

  private SessionMap() {}

  /**
   * The map's configuration: one sync backup (a session survives the loss of any one member),
   * values kept as objects (entry processors change them without (de)serializing), and the {@code
   * maxSessions} bound.
   *
   * <p>The bound is approximate. Hazelcast bounds entries per partition, not per cluster: each of
   * the {@code partitionCount} partitions keeps at most {@code ceil(maxSessions / partitionCount)}
   * sessions, so the cluster never holds more than that times {@code partitionCount} (less than
   * {@code maxSessions + partitionCount}), but sessions hash unevenly over the partitions, so one
   * partition may evict while the cluster holds fewer than {@code maxSessions}. Within a full
   * partition Hazelcast evicts the best of a sample of 15 by {@link SuspendedFirst}: suspended
   * sessions before attached ones, the one suspended longest first. A backup replica evicts on
   * its own, so after an eviction primary and backup may disagree on which session went until the
   * next one; the loss of the primary then keeps the backup's choice.
   */
  public static MapConfig config(SessionLimits limits, int partitionCount) {
    int perPartition = (int) ((limits.maxSessions() + (long) partitionCount - 1) / partitionCount);
    return new MapConfig(MAP_NAME)
        .setBackupCount(1)
        .setAsyncBackupCount(0)
        .setInMemoryFormat(InMemoryFormat.OBJECT)
        .setEvictionConfig(
            new EvictionConfig()
                // The map's default policy (NONE) is what Hazelcast requires beside a comparator.
                .setEvictionPolicy(MapConfig.DEFAULT_EVICTION_POLICY)
                .setMaxSizePolicy(MaxSizePolicy.PER_PARTITION)
                .setSize(perPartition)
                .setComparator(new SuspendedFirst()))
        // After a split the sides' sessions are disjoint but for resumes during the split; an
        // entry both sides hold keeps the bigger side's copy.
        .setMergePolicyConfig(
            new MergePolicyConfig(
                PutIfAbsentMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE));
  }

  /**
   * The session store of the member {@code hz}, whose config holds {@link #config} and {@link
   * SessionSerialization}: sessions expire by Hazelcast's per-entry TTL; when a member leaves, the
   * oldest member suspends the sessions held on it.
   */
  public static ClusterSessionStore store(HazelcastInstance hz, SessionLimits limits) {
    return new HazelcastSessionStore(hz, MAP_NAME, limits, Clock.system());
  }
}
