package io.slipstream.core.spi;

import io.slipstream.core.message.ErrorCode;

/**
 * What became of a {@link Sequencer#delete}: the topic's new, empty epoch, or why not.
 *
 * <p>Immutable.
 *
 * @param status what happened
 * @param topic the topic
 * @param epoch the new epoch when deleted, else null
 * @param message why not, else null
 */
public record DeleteOutcome(Status status, String topic, String epoch, String message) {

  /** The kinds of outcome, each with the error it answers with (none for {@code DELETED}). */
  public enum Status {
    /** Rows and history are gone; {@code epoch} is the new, empty one. */
    DELETED(null),
    /** There is no such topic on this node; nothing changed. */
    NOT_FOUND(ErrorCode.NOT_FOUND),
    /** Too many operations pending, or the deadline passed first; nothing changed. */
    OVERLOADED(ErrorCode.OVERLOADED),
    /** The outcome is unknown. */
    INDETERMINATE(ErrorCode.INDETERMINATE),
    /** Too few cluster members to keep two copies; nothing changed. */
    NO_QUORUM(ErrorCode.NO_QUORUM);

    private final ErrorCode error;

    Status(ErrorCode error) {
      this.error = error;
    }

    /** The error this outcome answers with, or null when deleted. */
    public ErrorCode error() {
      return error;
    }
  }

  public DeleteOutcome {
    if (status == null || topic == null) {
      throw new IllegalArgumentException("status and topic are required");
    }
    if ((status == Status.DELETED) != (epoch != null)) {
      throw new IllegalArgumentException("epoch exactly when deleted");
    }
  }

  /** Deleted: {@code epoch} is the topic's new, empty epoch. */
  public static DeleteOutcome deleted(String topic, String epoch) {
    return new DeleteOutcome(Status.DELETED, topic, epoch, null);
  }

  /** Not deleted, and why. */
  public static DeleteOutcome refused(Status status, String topic, String message) {
    return new DeleteOutcome(status, topic, null, message);
  }
}
