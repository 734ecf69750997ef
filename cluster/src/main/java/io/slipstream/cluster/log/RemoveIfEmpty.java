package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.util.Map;

/**
 * Removes a topic's entry if nothing was ever published in its epoch (seq 0): what a node asks when
 * it forgets a topic only subscribers made ({@link Ensure}), so that subscribing to names cannot
 * fill the cluster. An entry with changes is never touched. Its backup does the same.
 *
 * <p>Threading: on the partition thread; an instance serves one call (its backup is set per call).
 */
final class RemoveIfEmpty extends LogProcessor<Boolean> {

  @Override
  public Boolean process(Map.Entry<String, TopicLog> entry) {
    backup(null);
    TopicLog log = entry.getValue();
    if (log == null || log.lastSeq() != 0) {
      return false;
    }
    entry.setValue(null);
    backup(new RemoveIfEmpty());
    return true;
  }

  @Override
  public int getClassId() {
    return LogSerialization.REMOVE_IF_EMPTY;
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
