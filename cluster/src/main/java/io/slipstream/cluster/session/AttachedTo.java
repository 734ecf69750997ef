package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.query.Predicate;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * Selects the sessions held by a connection on one of the given nodes: what {@link DetachNodes}
 * runs over when members leave. A predicate of our own rather than an attribute query, so nothing
 * depends on reflection over {@link StoredSession}'s fields.
 *
 * <p>Immutable once read.
 */
final class AttachedTo implements Predicate<String, StoredSession>, IdentifiedDataSerializable {

  private static final byte FORMAT = 1;

  private Set<String> nodes;

  /** For deserialization only. */
  AttachedTo() {}

  AttachedTo(Set<String> nodes) {
    this.nodes = Set.copyOf(nodes);
  }

  @Override
  public boolean apply(Map.Entry<String, StoredSession> entry) {
    StoredSession s = entry.getValue();
    return s != null && s.attached() && nodes.contains(s.node());
  }

  @Override
  public int getFactoryId() {
    return SessionSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return SessionSerialization.ATTACHED_TO;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    SessionWire.writeNodes(out, nodes);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "AttachedTo");
    nodes = SessionWire.readNodes(in);
  }
}
