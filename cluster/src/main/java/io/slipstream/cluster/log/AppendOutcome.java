package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;

/**
 * What became of one publish: the seqs it got, or why it got none. The {@code Append} entry
 * processor returns the first four kinds; {@link TopicAuthority} adds the two it learns from
 * Hazelcast's failures.
 *
 * <p>Immutable once built (the fields are set only by the constructor and {@link #readData}, which
 * Hazelcast calls before anyone else sees the object).
 */
public final class AppendOutcome implements IdentifiedDataSerializable {

  /** The kinds of outcome, each with the HTTP answer docs/protocol.md §10 gives it. */
  public enum Kind {
    /** Applied now, on the primary and its backup: 200 with the seqs. */
    APPENDED,
    /**
     * The publish id was applied before; these are its seqs, and they were confirmed on the backup
     * as well as the primary before this answer: 200, nothing applied again.
     */
    REPEATED,
    /** The publish id was applied before with another body: 409 {@code idempotency-conflict}. */
    CONFLICT,
    /** Nothing applied: rows or ring would go over their bounds: 507 {@code storage-full}. */
    FULL,
    /**
     * The call ended without telling whether the publish is on both copies: 503 {@code
     * indeterminate}; a retry with the same publish id is answered from the first application.
     */
    INDETERMINATE,
    /** Fewer members than {@code cluster.minMembers}: nothing applied, 503 {@code no-quorum}. */
    NO_QUORUM
  }

  private Kind kind;
  private String epoch;
  private long firstSeq;
  private long lastSeq;

  /** For deserialization only. */
  AppendOutcome() {}

  private AppendOutcome(Kind kind, String epoch, long firstSeq, long lastSeq) {
    this.kind = kind;
    this.epoch = epoch;
    this.firstSeq = firstSeq;
    this.lastSeq = lastSeq;
  }

  static AppendOutcome appended(String epoch, long firstSeq, long lastSeq) {
    return new AppendOutcome(Kind.APPENDED, epoch, firstSeq, lastSeq);
  }

  static AppendOutcome repeated(String epoch, long firstSeq, long lastSeq) {
    return new AppendOutcome(Kind.REPEATED, epoch, firstSeq, lastSeq);
  }

  /** An outcome without seqs: CONFLICT, FULL, INDETERMINATE or NO_QUORUM. */
  static AppendOutcome of(Kind kind) {
    if (kind == Kind.APPENDED || kind == Kind.REPEATED) {
      throw new IllegalArgumentException(kind + " needs seqs");
    }
    return new AppendOutcome(kind, null, 0, 0);
  }

  public Kind kind() {
    return kind;
  }

  /** Whether the publish is applied and its seqs known: {@code APPENDED} or {@code REPEATED}. */
  public boolean applied() {
    return kind == Kind.APPENDED || kind == Kind.REPEATED;
  }

  /** The topic's epoch, when {@link #applied()}; otherwise null. */
  public String epoch() {
    return epoch;
  }

  /** The publish's first seq, when {@link #applied()}; otherwise 0. */
  public long firstSeq() {
    return firstSeq;
  }

  /** The publish's last seq, when {@link #applied()}; otherwise 0. */
  public long lastSeq() {
    return lastSeq;
  }

  @Override
  public String toString() {
    return applied() ? kind + "[" + epoch + ":" + firstSeq + ".." + lastSeq + "]" : kind.name();
  }

  @Override
  public int getFactoryId() {
    return LogSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return LogSerialization.APPEND_OUTCOME;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(kind.ordinal());
    out.writeString(epoch);
    out.writeLong(firstSeq);
    out.writeLong(lastSeq);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    kind = Kind.values()[in.readByte()];
    epoch = in.readString();
    firstSeq = in.readLong();
    lastSeq = in.readLong();
  }
}
