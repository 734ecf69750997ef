package io.slipstream.cluster.session;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.util.Map;

/**
 * What every entry processor of the session map shares: it works on {@code String →
 * StoredSession}, is serialized by {@link SessionSerialization}, and stores its result through
 * {@link #store}, which also makes the backup processor a {@link ReplicateSession} of exactly that
 * value and expiry. The backup never re-runs the decision (a backup that missed an earlier update
 * would decide differently); it copies the primary's outcome.
 *
 * <p>Threading: an instance serves one call on one partition thread; Hazelcast asks for the
 * backup processor after {@code process}, on the same thread.
 *
 * @param <R> what {@code process} returns to the caller
 */
abstract class SessionProcessor<R>
    implements EntryProcessor<String, StoredSession, R>, IdentifiedDataSerializable {

  /** Set by {@link #store}; null when nothing changed. */
  private transient ReplicateSession backup;

  /**
   * Stores {@code value} in {@code entry} with {@code ttlMs} ({@link ReplicateSession#NO_TTL}: no
   * expiry while attached; {@link ReplicateSession#KEEP_TTL}: the expiry it has), and on the
   * backup the same.
   */
  final void store(Map.Entry<String, StoredSession> entry, StoredSession value, long ttlMs) {
    ReplicateSession.apply(entry, value, ttlMs);
    backup = new ReplicateSession(value, ttlMs);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public final EntryProcessor<String, StoredSession, R> getBackupProcessor() {
    // The backup's own result is discarded by Hazelcast; only the type parameter differs.
    return (EntryProcessor) backup;
  }

  @Override
  public final int getFactoryId() {
    return SessionSerialization.FACTORY_ID;
  }

  /** The entry as Hazelcast hands it to entry processors, with per-entry TTLs. */
  static ExtendedMapEntry<String, StoredSession> extended(Map.Entry<String, StoredSession> e) {
    return (ExtendedMapEntry<String, StoredSession>) e;
  }
}
