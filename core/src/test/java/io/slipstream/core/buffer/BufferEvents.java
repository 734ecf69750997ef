package io.slipstream.core.buffer;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;

/**
 * Builds live events of a chosen frame size, and buffers to put them in, for buffer tests.
 * Stateless and thread-safe.
 */
final class BufferEvents {

  private BufferEvents() {}

  /** An UPDATE of {@code topic} at {@code seq} whose frame is {@code size} bytes. */
  static ChangeEvent event(String topic, long seq, int size) {
    return new ChangeEvent(topic, "e", seq, ChangeOp.UPDATE, "k", "{}", 0, e -> new byte[size]);
  }

  /** A one-byte event. */
  static ChangeEvent event(String topic, long seq) {
    return event(topic, seq, 1);
  }

  static BufferLimits limits(
      int maxEvents, long maxBytes, double warn, double disconnect, DropPolicy policy) {
    return new BufferLimits(maxEvents, maxBytes, warn, disconnect, policy);
  }

  /** Offers the one-byte events {@code topic:fromSeq..toSeq}, checking invariants after each. */
  static void offer(ClientBuffer b, String topic, long fromSeq, long toSeq) {
    for (long s = fromSeq; s <= toSeq; s++) {
      b.offer(event(topic, s));
      b.checkInvariants();
    }
  }
}
