package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.session.SessionAnswer.Kind;
import java.io.IOException;
import java.util.Map;

/**
 * The holder takes the positions replaced connections handed over to it; anyone else gets {@code
 * NOT_HOLDER}.
 *
 * <p>Threading: an instance serves one call on one partition thread.
 */
final class TakeHandedOver extends SessionProcessor<SessionAnswer> {

  private static final byte FORMAT = 1;

  private String node;
  private String connection;

  /** For deserialization only. */
  TakeHandedOver() {}

  TakeHandedOver(String node, String connection) {
    this.node = node;
    this.connection = connection;
  }

  @Override
  public SessionAnswer process(Map.Entry<String, StoredSession> entry) {
    StoredSession s = entry.getValue();
    if (s == null || !s.heldBy(node, connection)) {
      return SessionAnswer.of(Kind.NOT_HOLDER);
    }
    if (!s.handedOver().isEmpty()) {
      store(entry, s.taken(), ReplicateSession.KEEP_TTL);
    }
    return SessionAnswer.of(Kind.TAKEN, s.handedOver());
  }

  @Override
  public int getClassId() {
    return SessionSerialization.TAKE;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeString(node);
    out.writeString(connection);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "TakeHandedOver");
    node = in.readString();
    connection = in.readString();
  }
}
