package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.slipstream.core.topic.RowMap;
import java.io.IOException;
import java.util.List;

/**
 * The answer to a validated read of one topic log: a snapshot (rows at {@link #lastSeq()} and the
 * newest changes) or a range of changes. Whatever it holds was confirmed on the backup as well as
 * the primary before it was handed out (shared/notes/cluster.md §3.4), so no node ever shows a
 * change that a failover could take back.
 *
 * <p>Immutable once built.
 */
public final class LogRead implements IdentifiedDataSerializable {

  /** The kinds of answer. */
  public enum Kind {
    /** The read succeeded: see {@link #rows()} and {@link #changes()}. */
    OK,
    /** The topic has no entry: nothing was ever published, or both copies were lost. */
    ABSENT,
    /** A range read of an epoch the topic no longer has; {@link #epoch()} is the current one. */
    EPOCH_CHANGED,
    /** A range read from before the ring's oldest change: the reader needs a snapshot. */
    NOT_COVERED,
    /** The backup could not confirm the read (yet): retry shortly. */
    INDETERMINATE,
    /** Fewer members than {@code cluster.minMembers}. */
    NO_QUORUM
  }

  private Kind kind;
  private String epoch;
  private long lastSeq;
  private RowMap rows;
  private long firstSeq;
  private List<LoggedChange> changes = List.of();

  /** For deserialization only. */
  LogRead() {}

  private LogRead(
      Kind kind,
      String epoch,
      long lastSeq,
      RowMap rows,
      long firstSeq,
      List<LoggedChange> changes) {
    this.kind = kind;
    this.epoch = epoch;
    this.lastSeq = lastSeq;
    this.rows = rows;
    this.firstSeq = firstSeq;
    this.changes = changes;
  }

  static LogRead snapshot(String epoch, long lastSeq, RowMap rows, long firstSeq,
      List<LoggedChange> changes) {
    return new LogRead(Kind.OK, epoch, lastSeq, rows, firstSeq, changes);
  }

  static LogRead range(String epoch, long lastSeq, long firstSeq, List<LoggedChange> changes) {
    return new LogRead(Kind.OK, epoch, lastSeq, null, firstSeq, changes);
  }

  /** An answer without data; {@code epoch} and {@code lastSeq} as the primary has them, if any. */
  static LogRead of(Kind kind, String epoch, long lastSeq) {
    return new LogRead(kind, epoch, lastSeq, null, 0, List.of());
  }

  public Kind kind() {
    return kind;
  }

  /** The topic's epoch; null when {@code ABSENT}, {@code INDETERMINATE} or {@code NO_QUORUM}. */
  public String epoch() {
    return epoch;
  }

  /** The topic's last seq at the read; the rows of a snapshot are the state at this seq. */
  public long lastSeq() {
    return lastSeq;
  }

  /** The rows at {@link #lastSeq()} for a snapshot; null for a range read. */
  public RowMap rows() {
    return rows;
  }

  /** The seq of {@code changes().get(0)}; meaningless when there are none. */
  public long firstSeq() {
    return firstSeq;
  }

  /** Contiguous changes from {@link #firstSeq()}, oldest first; never null. */
  public List<LoggedChange> changes() {
    return changes;
  }

  @Override
  public String toString() {
    return "LogRead[" + kind + " " + epoch + ":" + lastSeq + " changes from " + firstSeq + " x"
        + changes.size() + (rows == null ? "" : " rows=" + rows.size()) + "]";
  }

  @Override
  public int getFactoryId() {
    return LogSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return LogSerialization.LOG_READ;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(kind.ordinal());
    out.writeString(epoch);
    out.writeLong(lastSeq);
    out.writeBoolean(rows != null);
    if (rows != null) {
      LogWire.writeRows(out, rows);
    }
    out.writeLong(firstSeq);
    LogWire.writeChanges(out, changes);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    kind = Kind.values()[in.readByte()];
    epoch = in.readString();
    lastSeq = in.readLong();
    rows = in.readBoolean() ? LogWire.readRows(in) : null;
    firstSeq = in.readLong();
    changes = List.copyOf(LogWire.readChanges(in));
  }
}
