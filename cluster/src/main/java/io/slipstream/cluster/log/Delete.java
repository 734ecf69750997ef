package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.Map;

/**
 * A topic's {@code DELETE} (docs/protocol.md §10): its rows, ring and dedupe window are replaced by
 * an empty log under a new epoch, which the caller chose (the processor must be deterministic).
 * Returns the new epoch, or null when the topic has no entry (nothing changed).
 *
 * <p>The backup runs the same replacement unconditionally: it leaves the backup exactly as the
 * primary, whatever the backup held before, so no later {@link ApplyAt} can diverge from it.
 *
 * <p>Threading: on the partition thread; an instance serves one call.
 */
final class Delete extends LogProcessor<String> {

  private String epoch;
  private boolean onBackup;

  /** For deserialization only. */
  Delete() {}

  Delete(String epoch, boolean onBackup) {
    if (epoch == null) {
      throw new IllegalArgumentException("epoch is required");
    }
    this.epoch = epoch;
    this.onBackup = onBackup;
  }

  @Override
  public String process(Map.Entry<String, TopicLog> entry) {
    backup(null);
    if (entry.getValue() == null && !onBackup) {
      return null;
    }
    entry.setValue(TopicLog.create(epoch));
    if (!onBackup) {
      backup(new Delete(epoch, true));
    }
    return epoch;
  }

  @Override
  public int getClassId() {
    return LogSerialization.DELETE;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeBoolean(onBackup);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    onBackup = in.readBoolean();
  }
}
