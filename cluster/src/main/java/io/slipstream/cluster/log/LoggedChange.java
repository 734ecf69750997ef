package io.slipstream.cluster.log;

import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;

/**
 * One change as the authoritative topic log keeps it: what was asked for, when, and under which
 * publish id. Its seq is its position in the log, so it is not stored.
 *
 * <p>Immutable and shared freely: the ring, the backup's copy of an {@code ApplyAt} and the
 * batches pushed to the nodes all point at the same instances.
 *
 * @param op the change's kind
 * @param key the row's key
 * @param row the row's JSON object text, null for DELETE
 * @param ts publish time stamped by the publishing node, ms since the Unix epoch
 * @param publishId the {@code Idempotency-Key} of the publish it came in, null when it had none
 */
public record LoggedChange(ChangeOp op, String key, String row, long ts, String publishId) {

  /**
   * What a change weighs against {@link LogLimits#maxRingBytes()} beyond its characters, in bytes:
   * the record, its strings' headers and its ring slot.
   */
  public static final int OVERHEAD_BYTES = 64;

  public LoggedChange {
    if (op == null || key == null || op.needsRow() != (row != null)) {
      throw new IllegalArgumentException("op, key and a row exactly when op is not DELETE");
    }
  }

  static LoggedChange of(ChangeRequest c, long ts, String publishId) {
    return new LoggedChange(c.op(), c.key(), c.row(), ts, publishId);
  }

  /**
   * The weight in bytes: two per character of key and row plus {@link #OVERHEAD_BYTES}. The
   * publish id is shared by a batch's changes and is weighed by the dedupe window instead.
   */
  public long weight() {
    return OVERHEAD_BYTES + 2L * (key.length() + (row == null ? 0 : row.length()));
  }
}
