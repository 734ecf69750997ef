package io.slipstream.core.buffer;

/**
 * A queued {@code dropped} marker: the changes {@code from..to} of one topic, dropped from the
 * stream exactly where the marker stands (docs/protocol.md §6).
 *
 * <p>Mutable while it waits in its buffer, and confined to that buffer's thread. The range only
 * ever names consecutive seqs, so its count is {@code to - from + 1}: a policy grows it by one seq
 * at either end, or joins it to the next marker of its topic once no event stands between them.
 */
final class Gap {

  final String topic;
  long from;
  long to;

  /**
   * The topic's previous and next queued gaps, in stream order. Kept only by {@link
   * DropNewestQueue}, which drops a topic's events from the tail, between its gaps; null
   * elsewhere.
   */
  Gap prev;

  Gap next;

  /** A marker for the single change {@code topic:seq}. */
  Gap(String topic, long seq) {
    this.topic = topic;
    this.from = seq;
    this.to = seq;
  }

  long count() {
    return to - from + 1;
  }

  @Override
  public String toString() {
    return "Gap[" + topic + " " + from + ".." + to + "]";
  }
}
