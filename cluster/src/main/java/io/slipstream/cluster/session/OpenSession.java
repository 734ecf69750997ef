package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.session.SessionAnswer.Kind;
import java.io.IOException;
import java.util.Map;

/**
 * Stores a new session under a freshly drawn id, attached to the connection that said hello.
 * Idempotent: a second run of the same call (Hazelcast retried it) finds its own session and
 * answers {@code CREATED} again; any other session under that id is a {@code COLLISION}.
 *
 * <p>Threading: an instance serves one call on one partition thread.
 */
final class OpenSession extends SessionProcessor<SessionAnswer> {

  private static final byte FORMAT = 1;

  private String clientId;
  private String tokenHash;
  private String node;
  private String connection;

  /** For deserialization only. */
  OpenSession() {}

  OpenSession(String clientId, String tokenHash, String node, String connection) {
    this.clientId = clientId;
    this.tokenHash = tokenHash;
    this.node = node;
    this.connection = connection;
  }

  @Override
  public SessionAnswer process(Map.Entry<String, StoredSession> entry) {
    StoredSession s = entry.getValue();
    if (s == null) {
      store(
          entry,
          StoredSession.opened(clientId, tokenHash, node, connection),
          ReplicateSession.NO_TTL);
      return SessionAnswer.of(Kind.CREATED);
    }
    if (s.tokenIs(tokenHash) && s.heldBy(node, connection)) {
      return SessionAnswer.of(Kind.CREATED);
    }
    return SessionAnswer.of(Kind.COLLISION);
  }

  @Override
  public int getClassId() {
    return SessionSerialization.OPEN;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeString(clientId);
    out.writeString(tokenHash);
    out.writeString(node);
    out.writeString(connection);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "OpenSession");
    clientId = in.readString();
    tokenHash = in.readString();
    node = in.readString();
    connection = in.readString();
  }
}
