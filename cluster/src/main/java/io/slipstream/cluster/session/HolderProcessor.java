package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.session.SessionAnswer.Kind;
import java.io.IOException;
import java.util.Map;

/**
 * A call only the connection holding the session may make: anyone else (another connection, or
 * a session that is gone) gets {@code NOT_HOLDER} and nothing changes. On the wire: a format byte
 * ({@code 1}), the node, the connection, then what the subclass adds.
 *
 * <p>Threading: an instance serves one call on one partition thread.
 */
abstract class HolderProcessor extends SessionProcessor<SessionAnswer> {

  private static final byte FORMAT = 1;

  private String node;
  private String connection;

  /** For deserialization only. */
  HolderProcessor() {}

  HolderProcessor(String node, String connection) {
    this.node = node;
    this.connection = connection;
  }

  @Override
  public final SessionAnswer process(Map.Entry<String, StoredSession> entry) {
    StoredSession s = entry.getValue();
    if (s == null || !s.heldBy(node, connection)) {
      return SessionAnswer.of(Kind.NOT_HOLDER);
    }
    return byHolder(entry, s);
  }

  /** What the holder's call does to {@code s}, the value of {@code entry}. */
  abstract SessionAnswer byHolder(Map.Entry<String, StoredSession> entry, StoredSession s);

  /** Writes what the subclass adds after the holder; nothing by default. */
  void writeMore(ObjectDataOutput out) throws IOException {}

  /** Reads what {@link #writeMore} wrote. */
  void readMore(ObjectDataInput in) throws IOException {}

  @Override
  public final void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeString(node);
    out.writeString(connection);
    writeMore(out);
  }

  @Override
  public final void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, getClass().getSimpleName());
    node = in.readString();
    connection = in.readString();
    readMore(in);
  }
}
