package io.slipstream.core.topic;

import io.slipstream.core.replay.Sequenced;

/**
 * One sequenced change of a topic, with its wire form serialized once.
 *
 * <p>Immutable and safe to share across threads; the {@link #frame()} array is never modified
 * after construction (callers must not modify it either).
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
