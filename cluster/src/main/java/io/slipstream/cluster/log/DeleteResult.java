package io.slipstream.cluster.log;

/**
 * What became of a {@link TopicAuthority#delete}.
 *
 * <p>Immutable.
 *
 * @param kind what happened
 * @param epoch the topic's new, empty epoch when {@code DELETED}; otherwise null
 */
public record DeleteResult(Kind kind, String epoch) {

  /** The kinds of answer. */
  public enum Kind {
    /** Emptied on both copies under {@code epoch}. */
    DELETED,
    /** The topic has no entry; nothing changed. */
    ABSENT,
    /** The call ended without telling whether both copies have it; retry. */
    INDETERMINATE,
    /** Fewer members than {@code cluster.minMembers}; nothing changed. */
    NO_QUORUM
  }

  static final DeleteResult ABSENT = new DeleteResult(Kind.ABSENT, null);
  static final DeleteResult INDETERMINATE = new DeleteResult(Kind.INDETERMINATE, null);
  static final DeleteResult NO_QUORUM = new DeleteResult(Kind.NO_QUORUM, null);

  public DeleteResult {
    if (kind == null || (kind == Kind.DELETED) != (epoch != null)) {
      throw new IllegalArgumentException("an epoch exactly when deleted");
    }
  }

  static DeleteResult deleted(String epoch) {
    return new DeleteResult(Kind.DELETED, epoch);
  }
}
