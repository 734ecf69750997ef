package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.session.SessionAnswer.Kind;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * The holder records the QoS class an operator moved it to, so the session's later connections, on
 * any node, start in it; anyone else gets {@code NOT_HOLDER} and nothing changes.
 *
 * <p>Idempotent: a second run stores the same value. Threading: an instance serves one call on one
 * partition thread.
 */
final class KeepQos extends SessionProcessor<SessionAnswer> {

  private static final byte FORMAT = 1;

  private String node;
  private String connection;
  private String qos;

  /** For deserialization only. */
  KeepQos() {}

  KeepQos(String node, String connection, String qos) {
    this.node = node;
    this.connection = connection;
    this.qos = qos;
  }

  @Override
  public SessionAnswer process(Map.Entry<String, StoredSession> entry) {
    StoredSession s = entry.getValue();
    if (s == null || !s.heldBy(node, connection)) {
      return SessionAnswer.of(Kind.NOT_HOLDER);
    }
    if (!Objects.equals(s.qos(), qos)) {
      // Held, so attached: no TTL runs, and none is set.
      store(entry, s.withQos(qos), ReplicateSession.NO_TTL);
    }
    return SessionAnswer.of(Kind.RECORDED);
  }

  @Override
  public int getClassId() {
    return SessionSerialization.KEEP_QOS;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeString(node);
    out.writeString(connection);
    out.writeString(qos);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "KeepQos");
    node = in.readString();
    connection = in.readString();
    qos = in.readString();
  }
}
