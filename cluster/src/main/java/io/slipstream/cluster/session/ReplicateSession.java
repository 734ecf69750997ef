package io.slipstream.cluster.session;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The backup processor of every session entry processor: stores the value the primary stored, with
 * the same expiry rule, so the backup converges on the primary's state whatever it missed before.
 *
 * <p>Threading: an instance serves one call on one partition thread.
 */
final class ReplicateSession
    implements EntryProcessor<String, StoredSession, Object>, IdentifiedDataSerializable {

  /** The entry never expires by itself (a connection holds the session). */
  static final long NO_TTL = 0;

  /** The entry keeps the expiry it has (a suspended session whose TTL already runs). */
  static final long KEEP_TTL = -1;

  private static final byte FORMAT = 1;

  private StoredSession value;
  private long ttlMs;

  /** For deserialization only. */
  ReplicateSession() {}

  ReplicateSession(StoredSession value, long ttlMs) {
    this.value = value;
    this.ttlMs = ttlMs;
  }

  /** Stores {@code value} in {@code entry} under the expiry rule {@code ttlMs}. */
  static void apply(Map.Entry<String, StoredSession> entry, StoredSession value, long ttlMs) {
    ExtendedMapEntry<String, StoredSession> e = SessionProcessor.extended(entry);
    if (ttlMs == KEEP_TTL) {
      e.setValueWithoutChangingExpiryTime(value);
    } else {
      // A TTL of 0 means "never expires" to Hazelcast (ExpirationTimeSetter.pickTTLMillis).
      e.setValue(value, ttlMs, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public Object process(Map.Entry<String, StoredSession> entry) {
    apply(entry, value, ttlMs);
    return null;
  }

  @Override
  public EntryProcessor<String, StoredSession, Object> getBackupProcessor() {
    return null;
  }

  @Override
  public int getFactoryId() {
    return SessionSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return SessionSerialization.REPLICATE;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    value.writeData(out);
    out.writeLong(ttlMs);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "ReplicateSession");
    value = new StoredSession();
    value.readData(in);
    ttlMs = in.readLong();
  }
}
