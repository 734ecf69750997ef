package io.slipstream.core.topic;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import java.util.Optional;

/**
 * One change a producer asks for, already validated: op, key, and the row as compact JSON object
 * text (null for DELETE).
 *
 * <p>Immutable. Build it only from input that passed {@link #check}; the constructor rejects
 * anything else as a bug.
 *
 * @param op the change's kind
 * @param key the row's key, 1 to 256 characters
 * @param row the row as serialized JSON object text, or null for DELETE
 */
public record ChangeRequest(ChangeOp op, String key, String row) {

  /** The longest key, in characters. */
  public static final int MAX_KEY_LENGTH = 256;

  public ChangeRequest {
    if (op == null) {
      throw new IllegalArgumentException("op is required");
    }
    if (!isValidKey(key)) {
      throw new IllegalArgumentException("key must be 1.." + MAX_KEY_LENGTH + " characters");
    }
    if (op.needsRow() != (row != null)) {
      throw new IllegalArgumentException("row must be present exactly when op is not DELETE");
    }
  }

  /** Whether {@code key} is a valid row key. */
  public static boolean isValidKey(String key) {
    return key != null && !key.isEmpty() && key.length() <= MAX_KEY_LENGTH;
  }

  /**
   * Validates a change's parts as they came off the wire.
   *
   * @param op the raw {@code op} value, null when absent or not a string
   * @param key the raw {@code key} value, null when absent or not a string
   * @param rowPresent whether a {@code row} field is present (and not JSON null)
   * @param rowIsObject whether that field is a JSON object
   * @return the first violation, or empty when the change is valid
   */
  public static Optional<Violation> check(
      String op, String key, boolean rowPresent, boolean rowIsObject) {
    Optional<ChangeOp> parsed = ChangeOp.fromWire(op);
    if (parsed.isEmpty()) {
      return Optional.of(
          new Violation(
              ErrorCode.BAD_OP,
              "op must be INSERT, UPDATE or DELETE, was " + TopicName.describe(op)));
    }
    if (!isValidKey(key)) {
      return Optional.of(
          new Violation(
              ErrorCode.BAD_KEY,
              "key must be a string of 1.." + MAX_KEY_LENGTH + " characters, was "
                  + TopicName.describe(key)));
    }
    if (parsed.get().needsRow()) {
      if (!rowPresent) {
        return Optional.of(new Violation(ErrorCode.BAD_ROW, "row is required for " + op));
      }
      if (!rowIsObject) {
        return Optional.of(new Violation(ErrorCode.BAD_ROW, "row must be a JSON object"));
      }
    } else if (rowPresent) {
      return Optional.of(new Violation(ErrorCode.BAD_ROW, "row must be absent for DELETE"));
    }
    return Optional.empty();
  }
}
