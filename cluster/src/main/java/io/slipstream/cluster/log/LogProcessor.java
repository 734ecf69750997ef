package io.slipstream.cluster.log;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * What every entry processor of the topic log shares: it works on {@code String → TopicLog}, it
 * is serialized by {@link LogSerialization}, and its backup processor (if any) is chosen by its
 * own {@code process}, which Hazelcast calls before asking for it on the same thread.
 *
 * <p>Threading: an instance serves one call on one partition thread.
 *
 * @param <R> what {@code process} returns to the caller
 */
abstract class LogProcessor<R>
    implements EntryProcessor<String, TopicLog, R>, IdentifiedDataSerializable {

  /** Set by {@code process}; null when nothing changed and nothing is exposed. */
  private transient EntryProcessor<String, TopicLog, ?> backup;

  /** Makes {@code b} this call's backup processor (null for none). */
  final void backup(EntryProcessor<String, TopicLog, ?> b) {
    backup = b;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public final EntryProcessor<String, TopicLog, R> getBackupProcessor() {
    // The backup's own result is discarded by Hazelcast; only the type parameter differs.
    return (EntryProcessor) backup;
  }

  @Override
  public final int getFactoryId() {
    return LogSerialization.FACTORY_ID;
  }
}
