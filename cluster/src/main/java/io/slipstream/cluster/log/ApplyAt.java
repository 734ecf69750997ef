package io.slipstream.cluster.log;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.log.DedupeIndex.Recorded;
import io.slipstream.core.topic.ChangeRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The backup half of {@link Append}: applies the primary's batch at exactly the position the
 * primary applied it, or refuses.
 *
 * <ul>
 *   <li>Same epoch and {@code lastSeq == prevSeq}: apply (the same plan, commit and eviction as
 *       the primary, so both copies stay equal).
 *   <li>No entry and the primary created it ({@code prevSeq == 0}): create it in the same epoch and
 *       apply.
 *   <li>The publish is already there (its id recorded at these seqs): nothing to do.
 *   <li>Anything else: throw {@link BackupRefusedException}, changing nothing. Re-running {@code
 *       Append} here instead would hand the same seq to a different change on a backup that missed
 *       an update; refusing withholds the ack, so the caller sees an indeterminate outcome and
 *       anti-entropy repairs the copy.
 * </ul>
 *
 * <p>Threading: runs on the backup's partition thread; an instance serves one call.
 */
final class ApplyAt extends LogProcessor<Object> implements HazelcastInstanceAware {

  private String epoch;
  private long prevSeq;
  private boolean created;
  private String publishId;
  private long bodyHash;
  private long ts;
  private List<ChangeRequest> changes;
  private LogLimits limits;

  private transient BackupFaults faults;

  /** For deserialization only. */
  ApplyAt() {}

  ApplyAt(
      String epoch,
      long prevSeq,
      boolean created,
      String publishId,
      long bodyHash,
      long ts,
      List<ChangeRequest> changes,
      LogLimits limits) {
    this.epoch = epoch;
    this.prevSeq = prevSeq;
    this.created = created;
    this.publishId = publishId;
    this.bodyHash = bodyHash;
    this.ts = ts;
    this.changes = changes;
    this.limits = limits;
  }

  /** Looks up the member's test hook, if one is registered. */
  @Override
  public void setHazelcastInstance(HazelcastInstance hz) {
    Object hook = hz.getUserContext().get(BackupFaults.USER_CONTEXT_KEY);
    faults = hook instanceof BackupFaults ? (BackupFaults) hook : null;
  }

  /** Sets the test hook directly, for tests without a member. */
  void faults(BackupFaults faults) {
    this.faults = faults;
  }

  @Override
  public Object process(Map.Entry<String, TopicLog> entry) {
    if (faults != null && faults.takeRefusal()) {
      throw new BackupRefusedException("injected refusal of " + this);
    }
    TopicLog log = entry.getValue();
    if (log == null) {
      if (!created || prevSeq != 0) {
        throw new BackupRefusedException("backup has no entry for " + this);
      }
      TopicLog fresh = TopicLog.create(epoch);
      applyTo(fresh);
      entry.setValue(fresh);
      return null;
    }
    if (!log.epoch().equals(epoch)) {
      throw new BackupRefusedException("backup is in epoch " + log.epoch() + ", not " + this);
    }
    if (log.lastSeq() == prevSeq && !created) {
      applyTo(log);
      entry.setValue(log);
      return null;
    }
    Recorded seen = log.recorded(publishId);
    if (seen != null
        && seen.firstSeq() == prevSeq + 1
        && seen.lastSeq() == prevSeq + changes.size()
        && seen.bodyHash() == bodyHash) {
      return null;
    }
    throw new BackupRefusedException("backup is at seq " + log.lastSeq() + ", not " + this);
  }

  private void applyTo(TopicLog log) {
    TopicLog.Plan plan = log.plan(changes, ts, limits);
    if (plan == null) {
      // The primary's plan fitted the same state and limits: the copies already differ.
      throw new BackupRefusedException("batch does not fit the backup's copy for " + this);
    }
    log.commit(plan, changes, ts, publishId, bodyHash, limits);
  }


  @Override
  public String toString() {
    return "ApplyAt[" + epoch + ":" + prevSeq + "+" + changes.size()
        + (created ? " created" : "") + (publishId == null ? "" : " id=" + publishId) + "]";
  }


  @Override
  public int getClassId() {
    return LogSerialization.APPLY_AT;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(prevSeq);
    out.writeBoolean(created);
    out.writeString(publishId);
    out.writeLong(bodyHash);
    out.writeLong(ts);
    LogWire.writeRequests(out, changes);
    LogWire.writeLimits(out, limits);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    prevSeq = in.readLong();
    created = in.readBoolean();
    publishId = in.readString();
    bodyHash = in.readLong();
    ts = in.readLong();
    changes = LogWire.readRequests(in);
    limits = LogWire.readLimits(in);
  }
}
