package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;

/**
 * A queued marker: a {@code dropped} marker naming the changes {@code from..to} of one topic,
 * dropped from the stream exactly where the marker stands, or a {@code conflated} marker placed
 * before a compacted run {@code from..to} (docs/protocol.md §6).
 *
 * <p>Mutable while it waits in its buffer, and confined to that buffer's thread. A {@code dropped}
 * range only ever names consecutive seqs, so its count is {@code to - from + 1}: a policy grows it
 * by one seq at either end, or joins it to the next marker of its topic and reason once no event
 * stands between them. A {@code conflated} marker ({@link #reason} null) counts the seqs of its
 * range that will not come: the range's length less the {@link #kept} events that follow it.
 */
final class Gap {

  final String topic;
  long from;
  long to;

  /**
   * Why the range is missing; null for a {@code conflated} marker. Mutable because a compacted run
   * whose first survivors are dropped becomes a {@code dropped} marker in place ({@link
   * ChainQueue}).
   */
  DropReason reason;

  /**
   * For a {@code conflated} marker: how many events of its range still follow it in the buffer.
   * Unused (0) for a {@code dropped} marker.
   */
  long kept;

  /**
   * The topic's previous and next queued gaps, in stream order. Kept only by {@link
   * DropNewestQueue}, which drops a topic's events from the tail, between its gaps; null elsewhere.
   */
  Gap prev;

  Gap next;

  /** A {@code dropped} marker (reason {@code buffer}) for the single change {@code topic:seq}. */
  Gap(String topic, long seq) {
    this(topic, seq, seq, DropReason.BUFFER_FULL);
  }

  /** A {@code dropped} marker for {@code topic:from..to}. */
  Gap(String topic, long from, long to, DropReason reason) {
    this.topic = topic;
    this.from = from;
    this.to = to;
    this.reason = reason;
  }

  /** A {@code conflated} marker for {@code topic:from..to}, with {@code kept} events following. */
  static Gap conflated(String topic, long from, long to, long kept) {
    Gap g = new Gap(topic, from, to, null);
    g.kept = kept;
    return g;
  }

  boolean isConflated() {
    return reason == null;
  }

  /**
   * The {@code count} field: for {@code dropped} the length of the range, for {@code conflated} the
   * seqs of the range that were replaced and will not come.
   */
  long count() {
    return to - from + 1 - kept;
  }

  @Override
  public String toString() {
    return (reason == null ? "Conflated[" : "Gap[" + reason.wireName() + " ")
        + topic
        + " "
        + from
        + ".."
        + to
        + (reason == null ? " kept " + kept : "")
        + "]";
  }
}
