package io.slipstream.cluster.log;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.log.DedupeIndex.Recorded;
import io.slipstream.core.topic.ChangeRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The sequencer step, run on the topic's primary: dedupe, epoch if absent, assign seqs, apply,
 * evict (the one atomic step of shared/notes/cluster.md §3.3, as Centrifugo's Lua script).
 *
 * <ol>
 *   <li>A publish id already in the dedupe window with the same body hash gets its recorded seqs
 *       ({@code REPEATED}); with another hash, {@code CONFLICT}. Nothing changes.
 *   <li>Otherwise, an absent entry is created in the caller's epoch candidate: the processor must
 *       be deterministic, so the randomness lives in the caller.
 *   <li>A batch that fits gets seqs {@code lastSeq+1 .. lastSeq+n}; one that does not is {@code
 *       FULL} and changes nothing.
 * </ol>
 *
 * <p>Its backup processor, built from what {@code process} did, is an {@link ApplyAt} for an
 * applied batch, a {@link VerifyAt} for a repeat (so a repeated key is answered only once the
 * backup confirms it holds the publish, never from the primary alone), and none when nothing
 * changed and nothing is exposed.
 *
 * <p>Threading: {@code process} runs on the partition thread, then Hazelcast asks for the backup
 * processor on the same thread. An instance serves one call: the caller builds a new one per
 * attempt (a local call hands Hazelcast the caller's own instance, not a copy).
 */
final class Append extends LogProcessor<AppendOutcome> {

  private String publishId;
  private long bodyHash;
  private long ts;
  private List<ChangeRequest> changes;
  private String epochCandidate;
  private LogLimits limits;

  /** For deserialization only. */
  Append() {}

  /**
   * @param publishId the {@code Idempotency-Key}, or null for a publish without one (not deduped)
   * @param bodyHash the hash of the publish's body, compared on a repeated id
   * @param ts publish time from the publishing node's clock, ms since the Unix epoch
   * @param changes at least one, validated
   * @param epochCandidate the epoch to create the topic in if it has no entry
   * @param limits the topic's bounds
   */
  Append(
      String publishId,
      long bodyHash,
      long ts,
      List<ChangeRequest> changes,
      String epochCandidate,
      LogLimits limits) {
    if (changes == null || changes.isEmpty()) {
      throw new IllegalArgumentException("changes must hold at least one change");
    }
    if (epochCandidate == null || limits == null) {
      throw new IllegalArgumentException("epochCandidate and limits are required");
    }
    this.publishId = publishId;
    this.bodyHash = bodyHash;
    this.ts = ts;
    this.changes = List.copyOf(changes);
    this.epochCandidate = epochCandidate;
    this.limits = limits;
  }

  @Override
  public AppendOutcome process(Map.Entry<String, TopicLog> entry) {
    backup(null);
    TopicLog log = entry.getValue();
    Recorded seen = log == null ? null : log.recorded(publishId);
    if (seen != null) {
      if (seen.bodyHash() != bodyHash) {
        return AppendOutcome.of(AppendOutcome.Kind.CONFLICT);
      }
      backup(VerifyAt.repeat(log.epoch(), seen.lastSeq(), publishId, seen.firstSeq()));
      return AppendOutcome.repeated(log.epoch(), seen.firstSeq(), seen.lastSeq());
    }
    boolean created = log == null;
    TopicLog target = created ? TopicLog.create(epochCandidate) : log;
    TopicLog.Plan plan = target.plan(changes, ts, limits);
    if (plan == null) {
      return AppendOutcome.of(AppendOutcome.Kind.FULL);
    }
    long prevSeq = target.lastSeq();
    target.commit(plan, changes, ts, publishId, bodyHash, limits);
    entry.setValue(target);
    backup(
        new ApplyAt(target.epoch(), prevSeq, created, publishId, bodyHash, ts, changes, limits));
    return AppendOutcome.appended(target.epoch(), prevSeq + 1, target.lastSeq());
  }



  @Override
  public int getClassId() {
    return LogSerialization.APPEND;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(publishId);
    out.writeLong(bodyHash);
    out.writeLong(ts);
    LogWire.writeRequests(out, changes);
    out.writeString(epochCandidate);
    LogWire.writeLimits(out, limits);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    publishId = in.readString();
    bodyHash = in.readLong();
    ts = in.readLong();
    changes = LogWire.readRequests(in);
    epochCandidate = in.readString();
    limits = LogWire.readLimits(in);
  }
}
