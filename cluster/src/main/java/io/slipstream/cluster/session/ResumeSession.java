package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.session.SessionAnswer.Kind;
import java.io.IOException;
import java.util.Map;

/**
 * Resumes the session of a token: when the stored hash is the token's, or the one the last resume
 * was made with and whose successor's welcome was not delivered yet ({@link TokenDelivered}),
 * rotates it to the new token's, attaches the session to the resuming connection (clearing its
 * TTL) and answers the recorded positions and the connection it replaced. One key, one partition
 * thread: of resumes racing with one token each replaces the one before it.
 *
 * <p>Idempotent: a second run of the same call finds the new hash and its own connection and
 * answers {@code RESUMED} again, without the replaced connection (already replaced by the first
 * run; it will hand its positions over when it ends).
 *
 * <p>Threading: an instance serves one call on one partition thread.
 */
final class ResumeSession extends SessionProcessor<SessionAnswer> {

  private static final byte FORMAT = 1;

  private String tokenHash;
  private String newTokenHash;
  private String node;
  private String connection;

  /** For deserialization only. */
  ResumeSession() {}

  ResumeSession(String tokenHash, String newTokenHash, String node, String connection) {
    this.tokenHash = tokenHash;
    this.newTokenHash = newTokenHash;
    this.node = node;
    this.connection = connection;
  }

  @Override
  public SessionAnswer process(Map.Entry<String, StoredSession> entry) {
    StoredSession s = entry.getValue();
    if (s == null) {
      return SessionAnswer.of(Kind.NOT_FOUND);
    }
    if (s.tokenIs(newTokenHash) && s.heldBy(node, connection)) {
      return SessionAnswer.resumed(s.subscriptions(), null, null, s.qos());
    }
    if (!s.tokenIs(tokenHash) && !s.previousTokenIs(tokenHash)) {
      return SessionAnswer.of(Kind.NOT_FOUND);
    }
    store(entry, s.resumed(tokenHash, newTokenHash, node, connection), ReplicateSession.NO_TTL);
    return SessionAnswer.resumed(s.subscriptions(), s.node(), s.connection(), s.qos());
  }

  @Override
  public int getClassId() {
    return SessionSerialization.RESUME;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeString(tokenHash);
    out.writeString(newTokenHash);
    out.writeString(node);
    out.writeString(connection);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "ResumeSession");
    tokenHash = in.readString();
    newTokenHash = in.readString();
    node = in.readString();
    connection = in.readString();
  }
}
