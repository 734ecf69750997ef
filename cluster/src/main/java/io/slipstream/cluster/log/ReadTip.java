package io.slipstream.cluster.log;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.util.Map;

/**
 * The cheap read of a topic's epoch and last seq from the primary alone ({@link LogTip}), for the
 * nodes' periodic tail check. {@code ReadOnly}, so it takes no lock and sends no backup; batch it
 * with {@code executeOnKeys}.
 *
 * <p>Stateless and thread-safe; one instance can serve every call.
 */
final class ReadTip
    implements EntryProcessor<String, TopicLog, LogTip>, IdentifiedDataSerializable, ReadOnly {

  static final ReadTip INSTANCE = new ReadTip();

  @Override
  public LogTip process(Map.Entry<String, TopicLog> entry) {
    TopicLog log = entry.getValue();
    return log == null ? new LogTip(null, 0) : new LogTip(log.epoch(), log.lastSeq());
  }

  @Override
  public EntryProcessor<String, TopicLog, LogTip> getBackupProcessor() {
    return null;
  }

  @Override
  public int getFactoryId() {
    return LogSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return LogSerialization.READ_TIP;
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
