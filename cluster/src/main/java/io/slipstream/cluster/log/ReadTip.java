package io.slipstream.cluster.log;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.util.Map;

/**
 * The cheap read of a topic's epoch and last seq from the primary alone ({@link LogTip}), for the
 * nodes' periodic tail check. {@code ReadOnly}, so it takes no lock and sends no backup; batch it
 * with {@code executeOnKeys}.
 *
 * <p>Stateless and thread-safe; one instance can serve every call.
 */
final class ReadTip extends LogProcessor<LogTip> implements ReadOnly {

  static final ReadTip INSTANCE = new ReadTip();

  @Override
  public LogTip process(Map.Entry<String, TopicLog> entry) {
    TopicLog log = entry.getValue();
    return log == null ? new LogTip(null, 0) : new LogTip(log.epoch(), log.lastSeq());
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
