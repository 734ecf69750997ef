package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.Row;
import io.slipstream.core.topic.RowMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The serialized forms shared by this package's {@code IdentifiedDataSerializable}s: rows,
 * changes, change requests and limits.
 *
 * <p>Public for the feed's event-bus codec, which writes pushed batches in the same form.
 *
 * <p>Stateless and thread-safe.
 */
public final class LogWire {

  private static final ChangeOp[] OPS = ChangeOp.values();

  private LogWire() {}

  /** Throws when a serialized form's format byte is not the one this node reads. */
  public static void checkFormat(byte seen, byte expected, String what) throws IOException {
    if (seen != expected) {
      throw new IOException(what + " format " + seen + " is unknown, this node reads " + expected);
    }
  }

  static void writeRows(ObjectDataOutput out, RowMap rows) throws IOException {
    out.writeInt(rows.size());
    for (RowMap.Entry e : rows) {
      out.writeString(e.key());
      out.writeString(e.row().json());
      out.writeLong(e.row().ts());
    }
  }

  static RowMap readRows(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    RowMap rows = RowMap.EMPTY;
    for (int i = 0; i < n; i++) {
      String key = in.readString();
      rows = rows.put(key, new Row(in.readString(), in.readLong()));
    }
    return rows;
  }

  /**
   * Writes changes with each batch's publish id once: consecutive changes of one publish share
   * it, so only a change whose id differs from the one before carries it.
   */
  public static void writeChanges(ObjectDataOutput out, List<LoggedChange> changes) throws IOException {
    out.writeInt(changes.size());
    String previousId = null;
    boolean first = true;
    for (LoggedChange c : changes) {
      out.writeByte(c.op().ordinal());
      out.writeString(c.key());
      out.writeString(c.row());
      out.writeLong(c.ts());
      boolean same = !first && Objects.equals(previousId, c.publishId());
      out.writeBoolean(same);
      if (!same) {
        out.writeString(c.publishId());
      }
      previousId = c.publishId();
      first = false;
    }
  }

  /** Reads what {@link #writeChanges} wrote; the list is mutable and the caller's. */
  public static List<LoggedChange> readChanges(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    List<LoggedChange> out = new ArrayList<>(n);
    String previousId = null;
    for (int i = 0; i < n; i++) {
      ChangeOp op = OPS[in.readByte()];
      String key = in.readString();
      String row = in.readString();
      long ts = in.readLong();
      String id = in.readBoolean() ? previousId : in.readString();
      out.add(new LoggedChange(op, key, row, ts, id));
      previousId = id;
    }
    return out;
  }

  static void writeRequests(ObjectDataOutput out, List<ChangeRequest> changes) throws IOException {
    out.writeInt(changes.size());
    for (ChangeRequest c : changes) {
      out.writeByte(c.op().ordinal());
      out.writeString(c.key());
      out.writeString(c.row());
    }
  }

  static List<ChangeRequest> readRequests(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    List<ChangeRequest> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new ChangeRequest(OPS[in.readByte()], in.readString(), in.readString()));
    }
    return List.copyOf(out);
  }

  static void writeLimits(ObjectDataOutput out, LogLimits limits) throws IOException {
    out.writeInt(limits.maxRingEvents());
    out.writeLong(limits.maxRingBytes());
    out.writeInt(limits.dedupeWindow());
    out.writeLong(limits.maxRowBytes());
  }

  static LogLimits readLimits(ObjectDataInput in) throws IOException {
    return new LogLimits(in.readInt(), in.readLong(), in.readInt(), in.readLong());
  }
}
