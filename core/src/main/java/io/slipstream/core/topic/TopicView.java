package io.slipstream.core.topic;

/**
 * A topic's state as of one seq: epoch, seq and the rows at exactly that seq.
 *
 * <p>Immutable and thread-safe; a snapshot is just a view iterated lazily.
 *
 * @param epoch the topic's current history
 * @param seq the last applied change, 0 before the first
 * @param rows the rows at {@code seq}
 */
public record TopicView(String epoch, long seq, RowMap rows) {

  /** The position this view stands at. */
  public Position position() {
    return new Position(epoch, seq);
  }
}
