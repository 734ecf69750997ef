package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A read of a topic log that is handed out only once the backup confirms it (see {@link
 * VerifyAt}): a snapshot (rows at the last seq and the newest changes of the ring) or a range of
 * changes. It is deliberately not {@code ReadOnly}, because only a mutating operation waits for a
 * backup ack; it modifies nothing.
 *
 * <p>Bound: a read returns at most {@link #MAX_EVENTS} changes; a longer range is read in steps. A
 * snapshot's rows are bounded by {@link LogLimits#maxRowBytes()}: they are shared, not copied, on
 * the partition thread, but serialized there for the answer.
 *
 * <p>Threading: runs on the partition thread; an instance serves one call.
 */
final class ValidatedRead extends LogProcessor<LogRead> {

  /** The most changes one read returns. */
  static final int MAX_EVENTS = TopicAuthority.MAX_READ_EVENTS;

  private boolean snapshot;
  private String epoch;
  private long afterSeq;
  private int maxEvents;

  /** For deserialization only. */
  ValidatedRead() {}

  private ValidatedRead(boolean snapshot, String epoch, long afterSeq, int maxEvents) {
    if (maxEvents < 0 || maxEvents > MAX_EVENTS) {
      throw new IllegalArgumentException(
          "maxEvents must be 0.." + MAX_EVENTS + ", was " + maxEvents);
    }
    this.snapshot = snapshot;
    this.epoch = epoch;
    this.afterSeq = afterSeq;
    this.maxEvents = maxEvents;
  }

  /** The rows at the last seq and up to {@code tailEvents} of the newest changes. */
  static ValidatedRead snapshot(int tailEvents) {
    return new ValidatedRead(true, null, 0, tailEvents);
  }

  /** Up to {@code maxEvents} changes after {@code afterSeq} of {@code epoch}. */
  static ValidatedRead range(String epoch, long afterSeq, int maxEvents) {
    if (epoch == null || afterSeq < 0) {
      throw new IllegalArgumentException("a range needs an epoch and afterSeq >= 0");
    }
    return new ValidatedRead(false, epoch, afterSeq, maxEvents);
  }

  @Override
  public LogRead process(Map.Entry<String, TopicLog> entry) {
    backup(null);
    TopicLog log = entry.getValue();
    if (log == null) {
      return LogRead.of(LogRead.Kind.ABSENT, null, 0);
    }
    // Every answer below names the primary's epoch and last seq, so the backup confirms both.
    backup(VerifyAt.read(log.epoch(), log.lastSeq()));
    ChangeRing ring = log.ring();
    if (snapshot) {
      long from = Math.max(ring.firstSeq(), log.lastSeq() - maxEvents + 1);
      return LogRead.snapshot(
          log.epoch(), log.lastSeq(), log.rows(), from, ring.slice(from, log.lastSeq()));
    }
    if (!log.epoch().equals(epoch)) {
      return LogRead.of(LogRead.Kind.EPOCH_CHANGED, log.epoch(), log.lastSeq());
    }
    long from = afterSeq + 1;
    if (from < ring.firstSeq() && afterSeq < log.lastSeq()) {
      return LogRead.of(LogRead.Kind.NOT_COVERED, log.epoch(), log.lastSeq());
    }
    long to = Math.min(log.lastSeq(), afterSeq + maxEvents);
    List<LoggedChange> changes = from <= to ? ring.slice(from, to) : List.of();
    return LogRead.range(log.epoch(), log.lastSeq(), from, changes);
  }



  @Override
  public int getClassId() {
    return LogSerialization.VALIDATED_READ;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeBoolean(snapshot);
    out.writeString(epoch);
    out.writeLong(afterSeq);
    out.writeInt(maxEvents);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    snapshot = in.readBoolean();
    epoch = in.readString();
    afterSeq = in.readLong();
    maxEvents = in.readInt();
  }
}
