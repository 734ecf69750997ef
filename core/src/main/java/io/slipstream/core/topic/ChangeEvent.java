package io.slipstream.core.topic;

import io.slipstream.core.replay.Sequenced;

/**
 * One sequenced change of a topic, with its wire form serialized once.
 *
 * <p>Immutable and safe to share across threads; the {@link #frame()} array is never modified after
 * construction (callers must not modify it either).
 */
public final class ChangeEvent implements Sequenced {

  private final String topic;
  private final String epoch;
  private final long seq;
  private final ChangeOp op;
  private final String key;
  private final String row;
  private final long ts;
  private final byte[] frame;

  private static final byte[] NO_FRAME = new byte[0];

  /**
   * Builds the event and serializes it with {@code encoder}.
   *
   * @param row the row's JSON object text, null for DELETE
   * @param ts publish time, ms since the Unix epoch
   */
  public ChangeEvent(
      String topic,
      String epoch,
      long seq,
      ChangeOp op,
      String key,
      String row,
      long ts,
      ChangeEncoder encoder) {
    this.topic = topic;
    this.epoch = epoch;
    this.seq = seq;
    this.op = op;
    this.key = key;
    this.row = row;
    this.ts = ts;
    // Every field the encoder reads is assigned above.
    this.frame = encoder.encode(this);
  }

  /**
   * A marker, not a change: the topic's history restarted at {@code (epoch, 0)} (a {@code DELETE}
   * of the topic, docs/protocol.md §4 {@code reset}). It travels with live batches so that a live
   * subscriber of the old epoch notices at once and catches up (which resets it); it has seq 0, no
   * key, no row and an empty frame, and is never queued for or written to a client.
   */
  public static ChangeEvent epochStart(String topic, String epoch, long ts) {
    return new ChangeEvent(topic, epoch, 0, ChangeOp.DELETE, "", null, ts, e -> NO_FRAME);
  }

  /** Whether this is an {@link #epochStart} marker rather than a change. */
  public boolean isEpochStart() {
    return seq == 0;
  }

  public String topic() {
    return topic;
  }

  public String epoch() {
    return epoch;
  }

  @Override
  public long seq() {
    return seq;
  }

  public ChangeOp op() {
    return op;
  }

  public String key() {
    return key;
  }

  /** The row's JSON object text, or null for DELETE. */
  public String row() {
    return row;
  }

  public long ts() {
    return ts;
  }

  /** The {@code change} message, UTF-8; shared, never to be modified. */
  public byte[] frame() {
    return frame;
  }

  /** The size of the frame in bytes, as the buffer's byte bound counts it. */
  public int size() {
    return frame.length;
  }

  @Override
  public String toString() {
    return "ChangeEvent[" + topic + " " + epoch + ":" + seq + " " + op + " " + key + "]";
  }
}
