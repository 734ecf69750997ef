package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.slipstream.cluster.log.DedupeIndex.Recorded;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.Row;
import io.slipstream.core.topic.RowMap;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The authoritative state of one topic, the value of its entry in the {@code slipstream.topics}
 * IMap: epoch, last seq, rows, the replay ring of the latest changes and the dedupe window.
 *
 * <p>Confined to the partition thread that owns the entry: the entry processors of this package
 * are its only writers, and with in-memory format OBJECT they get this very instance, not a copy.
 * So every change is made in two steps: {@link #plan} checks and computes without touching
 * anything, then {@link #commit} mutates and cannot fail. A processor that throws between the
 * two leaves the state exactly as it was, which is what lets a backup refuse instead of diverge.
 *
 * <p>Bounds: see {@link LogLimits}. The rows are a persistent {@link RowMap}, so a snapshot read
 * shares them instead of copying.
 */
final class TopicLog implements IdentifiedDataSerializable {

  /** The serialized form's version, written first, so a rolling upgrade can read old entries. */
  static final byte FORMAT = 1;

  /** What one row weighs against {@link LogLimits#maxRowBytes()} beyond its characters. */
  static final int ROW_OVERHEAD_BYTES = 48;

  private String epoch;
  private long lastSeq;
  private RowMap rows = RowMap.EMPTY;
  private long rowBytes;
  private ChangeRing ring = new ChangeRing();
  private DedupeIndex ids = new DedupeIndex();

  /** For deserialization only. */
  TopicLog() {}

  /** A new, empty log in {@code epoch}. */
  static TopicLog create(String epoch) {
    TopicLog log = new TopicLog();
    log.epoch = Objects.requireNonNull(epoch, "epoch");
    return log;
  }

  /** What a row weighs: two bytes a character of key and JSON plus {@link #ROW_OVERHEAD_BYTES}. */
  static long rowWeight(String key, String json) {
    return ROW_OVERHEAD_BYTES + 2L * (key.length() + json.length());
  }

  String epoch() {
    return epoch;
  }

  long lastSeq() {
    return lastSeq;
  }

  RowMap rows() {
    return rows;
  }

  long rowBytes() {
    return rowBytes;
  }

  ChangeRing ring() {
    return ring;
  }

  /** What {@code publishId} got, or null when it is not in the dedupe window. */
  Recorded recorded(String publishId) {
    return publishId == null ? null : ids.get(publishId);
  }

  int rememberedIds() {
    return ids.size();
  }

  /**
   * The rows after {@code changes}, computed without changing anything.
   *
   * @return the plan, or null when the batch does not fit: more changes or weight than the ring
   *     holds (it could then never be read back), or rows growing past {@code maxRowBytes} (a batch
   *     that does not grow the rows always fits, so deletes still work on a full topic)
   */
  Plan plan(List<ChangeRequest> changes, long ts, LogLimits limits) {
    if (changes.size() > limits.maxRingEvents()) {
      return null;
    }
    long batchWeight = 0;
    RowMap r = rows;
    long rb = rowBytes;
    for (ChangeRequest c : changes) {
      batchWeight += LoggedChange.OVERHEAD_BYTES
          + 2L * (c.key().length() + (c.row() == null ? 0 : c.row().length()));
      Row old = r.get(c.key());
      if (old != null) {
        rb -= rowWeight(c.key(), old.json());
      }
      if (c.op() == ChangeOp.DELETE) {
        r = r.remove(c.key());
      } else {
        r = r.put(c.key(), new Row(c.row(), ts));
        rb += rowWeight(c.key(), c.row());
      }
    }
    if (batchWeight > limits.maxRingBytes()) {
      return null;
    }
    if (rb > limits.maxRowBytes() && rb > rowBytes) {
      return null;
    }
    return new Plan(r, rb);
  }

  /**
   * Applies a planned batch: seqs {@code lastSeq()+1 .. lastSeq()+n}, the rows, the ring and the
   * dedupe window, then evicts down to {@code limits}. Cannot fail.
   */
  void commit(
      Plan plan,
      List<ChangeRequest> changes,
      long ts,
      String publishId,
      long bodyHash,
      LogLimits limits) {
    long first = lastSeq + 1;
    for (ChangeRequest c : changes) {
      ring.add(LoggedChange.of(c, ts, publishId));
    }
    lastSeq += changes.size();
    rows = plan.rows();
    rowBytes = plan.rowBytes();
    ring.evict(limits.maxRingEvents(), limits.maxRingBytes());
    if (publishId != null) {
      ids.put(publishId, new Recorded(first, lastSeq, bodyHash));
      ids.evict(limits.dedupeWindow());
    }
  }

  /**
   * The outcome of {@link #plan}.
   *
   * @param rows the rows after the batch
   * @param rowBytes their weight
   */
  record Plan(RowMap rows, long rowBytes) {}

  /** A copy that shares only immutable parts; for tests that keep a history of states. */
  TopicLog copy() {
    TopicLog c = create(epoch);
    c.lastSeq = lastSeq;
    c.rows = rows;
    c.rowBytes = rowBytes;
    c.ring = ring.copy();
    c.ids = ids.copy();
    return c;
  }

  /** Whether {@code other} holds exactly the same state (test and assertion aid; O(size)). */
  boolean sameState(TopicLog other) {
    if (other == null
        || !epoch.equals(other.epoch)
        || lastSeq != other.lastSeq
        || rowBytes != other.rowBytes
        || ring.size() != other.ring.size()
        || ring.firstSeq() != other.ring.firstSeq()
        || ring.bytes() != other.ring.bytes()
        || !ids.view().equals(other.ids.view())
        || !List.copyOf(ids.view().keySet()).equals(List.copyOf(other.ids.view().keySet()))) {
      return false;
    }
    for (long s = ring.firstSeq(); s <= ring.lastSeq(); s++) {
      if (!ring.get(s).equals(other.ring.get(s))) {
        return false;
      }
    }
    return rowsAsMap(rows).equals(rowsAsMap(other.rows));
  }

  private static Map<String, Row> rowsAsMap(RowMap rows) {
    Map<String, Row> m = new HashMap<>();
    for (RowMap.Entry e : rows) {
      m.put(e.key(), e.row());
    }
    return m;
  }

  @Override
  public String toString() {
    return "TopicLog[" + epoch + ":" + lastSeq + " rows=" + rows.size() + " ring="
        + ring.firstSeq() + ".." + ring.lastSeq() + " ids=" + ids.size() + "]";
  }

  @Override
  public int getFactoryId() {
    return LogSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return LogSerialization.TOPIC_LOG;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeString(epoch);
    out.writeLong(lastSeq);
    out.writeLong(rowBytes);
    LogWire.writeRows(out, rows);
    out.writeLong(ring.firstSeq());
    LogWire.writeChanges(out, ring.slice(ring.firstSeq(), ring.lastSeq()));
    out.writeInt(ids.size());
    for (Map.Entry<String, Recorded> e : ids.view().entrySet()) {
      out.writeString(e.getKey());
      out.writeLong(e.getValue().firstSeq());
      out.writeLong(e.getValue().lastSeq());
      out.writeLong(e.getValue().bodyHash());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    LogWire.checkFormat(in.readByte(), FORMAT, "TopicLog");
    epoch = in.readString();
    lastSeq = in.readLong();
    rowBytes = in.readLong();
    rows = LogWire.readRows(in);
    ring = ChangeRing.startingAt(in.readLong());
    for (LoggedChange c : LogWire.readChanges(in)) {
      ring.add(c);
    }
    ids = new DedupeIndex();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      ids.put(in.readString(), new Recorded(in.readLong(), in.readLong(), in.readLong()));
    }
  }
}
