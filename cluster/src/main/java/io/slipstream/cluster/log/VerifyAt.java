package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.log.DedupeIndex.Recorded;
import java.io.IOException;
import java.util.Map;

/**
 * The backup half of every validated read and of a repeated publish: confirms that the backup
 * holds what the primary is about to hand out, changing nothing.
 *
 * <p>It passes when the backup is in the same epoch and at least at {@code upTo}; for a repeat,
 * also when its dedupe window records the publish id at the same seqs. Otherwise it throws {@link
 * BackupRefusedException}, so the caller's read or repeat ends as indeterminate instead of
 * exposing what only the primary holds (shared/notes/cluster.md §3.4). Backups of one partition
 * are applied in order, so this normally passes on its first try: the batches it must see were
 * sent to the backup before it.
 *
 * <p>Threading: runs on the backup's partition thread; an instance serves one call.
 */
final class VerifyAt extends LogProcessor<Object> {

  private String epoch;
  private long upTo;
  private String publishId;
  private long firstSeq;

  /** For deserialization only. */
  VerifyAt() {}

  private VerifyAt(String epoch, long upTo, String publishId, long firstSeq) {
    this.epoch = epoch;
    this.upTo = upTo;
    this.publishId = publishId;
    this.firstSeq = firstSeq;
  }

  /** Confirms a read that exposed {@code epoch} up to {@code upTo}. */
  static VerifyAt read(String epoch, long upTo) {
    return new VerifyAt(epoch, upTo, null, 0);
  }

  /** Confirms a repeat: the backup records {@code publishId} at {@code firstSeq..lastSeq}. */
  static VerifyAt repeat(String epoch, long lastSeq, String publishId, long firstSeq) {
    return new VerifyAt(epoch, lastSeq, publishId, firstSeq);
  }

  @Override
  public Object process(Map.Entry<String, TopicLog> entry) {
    TopicLog log = entry.getValue();
    if (log == null || !log.epoch().equals(epoch) || log.lastSeq() < upTo) {
      throw new BackupRefusedException("backup holds " + log + ", cannot confirm " + this);
    }
    if (publishId != null) {
      Recorded seen = log.recorded(publishId);
      if (seen == null || seen.firstSeq() != firstSeq || seen.lastSeq() != upTo) {
        throw new BackupRefusedException("backup does not record " + this);
      }
    }
    return null;
  }


  @Override
  public String toString() {
    return "VerifyAt[" + epoch + ":" + upTo
        + (publishId == null ? "" : " id=" + publishId + " from " + firstSeq) + "]";
  }


  @Override
  public int getClassId() {
    return LogSerialization.VERIFY_AT;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(upTo);
    out.writeString(publishId);
    out.writeLong(firstSeq);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    upTo = in.readLong();
    publishId = in.readString();
    firstSeq = in.readLong();
  }
}
