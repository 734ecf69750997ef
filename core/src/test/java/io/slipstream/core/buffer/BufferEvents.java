package io.slipstream.core.buffer;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;

/** Builds live events of a chosen frame size for buffer tests. Stateless and thread-safe. */
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
}
