package io.slipstream.core.topic;

import java.util.Optional;

/**
 * The kind of a change (docs/protocol.md §1). INSERT and UPDATE both set the row under the key
 * (upsert); DELETE removes it.
 *
 * <p>Immutable.
 */
public enum ChangeOp {
  /** Sets the row under the key; also the op of every snapshot row. */
  INSERT,
  /** Sets the row under the key. */
  UPDATE,
  /** Removes the row under the key; carries no row. */
  DELETE;

  /** Whether a change of this op must carry a row. */
  public boolean needsRow() {
    return this != DELETE;
  }

  /** Looks an op up by its wire name ({@code INSERT}, {@code UPDATE}, {@code DELETE}). */
  public static Optional<ChangeOp> fromWire(String name) {
    if (name == null) {
      return Optional.empty();
    }
    switch (name) {
      case "INSERT":
        return Optional.of(INSERT);
      case "UPDATE":
        return Optional.of(UPDATE);
      case "DELETE":
        return Optional.of(DELETE);
      default:
        return Optional.empty();
    }
  }
}
