package io.slipstream.core.topic;

/**
 * The last change a client has applied in one topic: {@code (epoch, seq)} (docs/protocol.md §1).
 *
 * <p>Immutable.
 *
 * @param epoch the history the seq belongs to
 * @param seq the seq, 0 meaning "nothing applied yet"
 */
public record Position(String epoch, long seq) {

  public Position {
    if (epoch == null) {
      throw new IllegalArgumentException("epoch is required");
    }
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative, was " + seq);
    }
  }
}
