package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.session.SessionAnswer.Kind;
import io.slipstream.core.topic.Position;
import java.io.IOException;
import java.util.Map;

/**
 * Records the positions of a connection that ended ({@link StoredSession#recorded}). Only when it
 * held the session does the session's TTL start; otherwise the entry keeps the expiry it has (none
 * while another connection holds it, the running one while suspended). Running it twice records
 * the same, so a retry after an indeterminate answer is safe.
 *
 * <p>Threading: an instance serves one call on one partition thread.
 */
final class SuspendSession extends SessionProcessor<SessionAnswer> {

  private static final byte FORMAT = 1;

  private String node;
  private String connection;
  private Map<String, Position> positions;
  private long ttlMs;
  private int maxTopics;
  private long now;

  /** For deserialization only. */
  SuspendSession() {}

  /**
   * @param now the caller's wall ms: when the session was suspended, for the eviction order only
   */
  SuspendSession(
      String node,
      String connection,
      Map<String, Position> positions,
      long ttlMs,
      int maxTopics,
      long now) {
    this.node = node;
    this.connection = connection;
    this.positions = positions;
    this.ttlMs = ttlMs;
    this.maxTopics = maxTopics;
    this.now = now;
  }

  @Override
  public SessionAnswer process(Map.Entry<String, StoredSession> entry) {
    StoredSession s = entry.getValue();
    if (s != null) {
      boolean holder = s.heldBy(node, connection);
      store(
          entry,
          s.recorded(node, connection, positions, now, maxTopics),
          holder ? ttlMs : ReplicateSession.KEEP_TTL);
    }
    return SessionAnswer.of(Kind.RECORDED);
  }

  @Override
  public int getClassId() {
    return SessionSerialization.SUSPEND;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeString(node);
    out.writeString(connection);
    SessionWire.writePositions(out, positions);
    out.writeLong(ttlMs);
    out.writeInt(maxTopics);
    out.writeLong(now);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "SuspendSession");
    node = in.readString();
    connection = in.readString();
    positions = SessionWire.readPositions(in);
    ttlMs = in.readLong();
    maxTopics = in.readInt();
    now = in.readLong();
  }
}
