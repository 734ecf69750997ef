package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;

/**
 * The primary's epoch and last seq of one topic, read without waiting for the backup. Only a hint
 * ("there is more up to here"): a node acts on it by a validated range read, never by showing
 * anything (shared/notes/cluster.md §3.4).
 *
 * <p>Immutable once built.
 */
public final class LogTip implements IdentifiedDataSerializable {

  private String epoch;
  private long lastSeq;

  /** For deserialization only. */
  LogTip() {}

  LogTip(String epoch, long lastSeq) {
    this.epoch = epoch;
    this.lastSeq = lastSeq;
  }

  /** The epoch, or null when the topic has no entry. */
  public String epoch() {
    return epoch;
  }

  /** The last seq on the primary, 0 when the topic has no entry. */
  public long lastSeq() {
    return lastSeq;
  }

  @Override
  public String toString() {
    return "LogTip[" + epoch + ":" + lastSeq + "]";
  }

  @Override
  public int getFactoryId() {
    return LogSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return LogSerialization.LOG_TIP;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(lastSeq);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    lastSeq = in.readLong();
  }
}
