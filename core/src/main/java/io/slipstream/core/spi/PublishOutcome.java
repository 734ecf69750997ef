package io.slipstream.core.spi;

import io.slipstream.core.message.ErrorCode;

/**
 * What became of a publish: applied (with its epoch and seqs), a repeat of an earlier publish, or
 * one of the refusals, each of which changed nothing except {@link Status#INDETERMINATE}, which may
 * or may not have applied it.
 *
 * <p>Immutable.
 *
 * @param status what happened
 * @param topic the topic published to
 * @param epoch the epoch the changes were given seqs in; null unless applied or duplicate
 * @param firstSeq the seq of the first change; 0 unless applied or duplicate
 * @param lastSeq the seq of the last change; 0 unless applied or duplicate
 * @param message why, for a refusal; null otherwise
 */
public record PublishOutcome(
    Status status, String topic, String epoch, long firstSeq, long lastSeq, String message) {

  /** The kinds of outcome, each with the error it answers with (none for the successes). */
  public enum Status {
    /** Applied now: the changes hold seqs {@code firstSeq..lastSeq} of {@code epoch}. */
    APPLIED(null),
    /**
     * Applied earlier (same topic, {@code Idempotency-Key} and changes): the first answer, nothing
     * applied again.
     */
    DUPLICATE(null),
    /** The key was used with other changes; nothing applied. */
    CONFLICT(ErrorCode.IDEMPOTENCY_CONFLICT),
    /** Too many publishes pending, or the deadline passed before it began; nothing applied. */
    OVERLOADED(ErrorCode.OVERLOADED),
    /** Beyond the node's topic-state budget; nothing applied. */
    STORAGE_FULL(ErrorCode.STORAGE_FULL),
    /** The topic does not exist and the node holds {@code maxTopics}; nothing applied. */
    TOPIC_LIMIT(ErrorCode.TOPIC_LIMIT),
    /** The outcome is unknown: it may or may not have been applied. */
    INDETERMINATE(ErrorCode.INDETERMINATE),
    /** Too few cluster members to keep two copies; nothing applied. */
    NO_QUORUM(ErrorCode.NO_QUORUM);

    private final ErrorCode error;

    Status(ErrorCode error) {
      this.error = error;
    }

    /** The error this outcome answers with, or null when the publish is (or was) applied. */
    public ErrorCode error() {
      return error;
    }
  }

  public PublishOutcome {
    if (status == null || topic == null) {
      throw new IllegalArgumentException("status and topic are required");
    }
    boolean applied = status == Status.APPLIED || status == Status.DUPLICATE;
    if (applied != (epoch != null) || applied == (message != null)) {
      throw new IllegalArgumentException("epoch exactly when applied, message exactly when not");
    }
  }

  /** The changes were applied now as seqs {@code firstSeq..lastSeq} of {@code epoch}. */
  public static PublishOutcome applied(String topic, String epoch, long firstSeq, long lastSeq) {
    return new PublishOutcome(Status.APPLIED, topic, epoch, firstSeq, lastSeq, null);
  }

  /** A refusal (or {@code INDETERMINATE}) with its reason. */
  public static PublishOutcome refused(Status status, String topic, String message) {
    return new PublishOutcome(status, topic, null, 0, 0, message);
  }

  /** This applied outcome as the answer to a repeat of its publish. */
  public PublishOutcome asDuplicate() {
    if (status != Status.APPLIED && status != Status.DUPLICATE) {
      throw new IllegalStateException("only an applied publish has duplicates, was " + status);
    }
    return new PublishOutcome(Status.DUPLICATE, topic, epoch, firstSeq, lastSeq, null);
  }

  /** Whether the changes are in the topic (now or from the first publish with this key). */
  public boolean isApplied() {
    return status == Status.APPLIED || status == Status.DUPLICATE;
  }
}
