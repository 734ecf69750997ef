package io.slipstream.cluster.log;

/**
 * Thrown by a backup processor that will not apply or confirm what the primary sent, because its
 * copy is not in the state the primary's step assumed. Throwing withholds the backup's ack, so the
 * caller gets {@code IndeterminateOperationStateException} instead of a success that only the
 * primary holds; Hazelcast's anti-entropy later copies the primary's state over the backup.
 *
 * <p>Immutable. It never reaches the caller: it is logged on the backup member.
 */
final class BackupRefusedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  BackupRefusedException(String message) {
    super(message);
  }
}
