package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.session.SessionAnswer.Kind;
import java.io.IOException;
import java.util.Map;

/**
 * The holder delivered the {@code welcome} with the token its resume got: the token that resume
 * was made with stops resuming the session ({@link ResumeSession}). Anyone else gets {@code
 * NOT_HOLDER} and nothing changes.
 *
 * <p>Idempotent: a second run finds nothing left to retire. Threading: an instance serves one call
 * on one partition thread.
 */
final class TokenDelivered extends SessionProcessor<SessionAnswer> {

  private static final byte FORMAT = 1;

  private String node;
  private String connection;

  /** For deserialization only. */
  TokenDelivered() {}

  TokenDelivered(String node, String connection) {
    this.node = node;
    this.connection = connection;
  }

  @Override
  public SessionAnswer process(Map.Entry<String, StoredSession> entry) {
    StoredSession s = entry.getValue();
    if (s == null || !s.heldBy(node, connection)) {
      return SessionAnswer.of(Kind.NOT_HOLDER);
    }
    if (s.awaitingDelivery()) {
      // Held, so attached: no TTL runs, and none is set.
      store(entry, s.delivered(), ReplicateSession.NO_TTL);
    }
    return SessionAnswer.of(Kind.RECORDED);
  }

  @Override
  public int getClassId() {
    return SessionSerialization.TOKEN_DELIVERED;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeString(node);
    out.writeString(connection);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "TokenDelivered");
    node = in.readString();
    connection = in.readString();
  }
}
