package io.slipstream.cluster.session;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * Suspends every session held by a connection on a node that left the cluster, starting its TTL
 * ({@link StoredSession#detached}): that node's connections will never record their own end. Run
 * over the map with {@link AttachedTo} by one member (the oldest).
 *
 * <p>Unlike the single-key processors it is its own backup processor: Hazelcast asks a
 * partition-wide operation for one backup processor for all its entries, so it cannot copy one
 * value; it decides again on the backup from the same inputs (the caller's {@code now} included).
 *
 * <p>Threading: an instance serves one partition on one partition thread.
 */
final class DetachNodes
    implements EntryProcessor<String, StoredSession, Object>, IdentifiedDataSerializable {

  private static final byte FORMAT = 1;

  private Set<String> nodes;
  private long ttlMs;
  private int maxTopics;
  private long now;

  /** For deserialization only. */
  DetachNodes() {}

  DetachNodes(Set<String> nodes, long ttlMs, int maxTopics, long now) {
    this.nodes = Set.copyOf(nodes);
    this.ttlMs = ttlMs;
    this.maxTopics = maxTopics;
    this.now = now;
  }

  @Override
  public Object process(Map.Entry<String, StoredSession> entry) {
    StoredSession s = entry.getValue();
    if (s != null && s.attached() && nodes.contains(s.node())) {
      ReplicateSession.apply(entry, s.detached(now, maxTopics), ttlMs);
    }
    return null;
  }

  @Override
  public EntryProcessor<String, StoredSession, Object> getBackupProcessor() {
    return this;
  }

  @Override
  public int getFactoryId() {
    return SessionSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return SessionSerialization.DETACH;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    SessionWire.writeNodes(out, nodes);
    out.writeLong(ttlMs);
    out.writeInt(maxTopics);
    out.writeLong(now);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "DetachNodes");
    nodes = SessionWire.readNodes(in);
    ttlMs = in.readLong();
    maxTopics = in.readInt();
    now = in.readLong();
  }
}
