package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.Map;

/**
 * Gives a topic that was never published to an entry, empty, under the caller's epoch candidate, so
 * that the epoch a subscriber is told before the first publish is the one that publish gets, on
 * every node (docs/cluster.md). An existing entry is left alone and its tip returned: {@code
 * (epoch, 0)} for the created one.
 *
 * <p>The backup creates the same empty entry when it has none; it never touches one it has. The
 * returned epoch of a created entry is therefore on both copies when the caller sees it.
 *
 * <p>Threading: on the partition thread; an instance serves one call.
 */
final class Ensure extends LogProcessor<LogTip> {

  private String candidate;
  private boolean onBackup;

  /** For deserialization only. */
  Ensure() {}

  Ensure(String candidate, boolean onBackup) {
    if (candidate == null) {
      throw new IllegalArgumentException("candidate is required");
    }
    this.candidate = candidate;
    this.onBackup = onBackup;
  }

  @Override
  public LogTip process(Map.Entry<String, TopicLog> entry) {
    backup(null);
    TopicLog log = entry.getValue();
    if (log != null) {
      return new LogTip(log.epoch(), log.lastSeq());
    }
    entry.setValue(TopicLog.create(candidate));
    if (!onBackup) {
      backup(new Ensure(candidate, true));
    }
    return new LogTip(candidate, 0);
  }

  @Override
  public int getClassId() {
    return LogSerialization.ENSURE;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(candidate);
    out.writeBoolean(onBackup);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    candidate = in.readString();
    onBackup = in.readBoolean();
  }
}
