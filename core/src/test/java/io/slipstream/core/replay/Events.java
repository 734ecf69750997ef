package io.slipstream.core.replay;

import io.slipstream.core.topic.ChangeEncoder;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;

/** Builds throwaway events for replay-log tests. Stateless and thread-safe. */
final class Events {

  private static final byte[] NO_BYTES = new byte[0];
  private static final ChangeEncoder NO_FRAME = e -> NO_BYTES;

  private Events() {}

  /** An UPDATE of topic {@code t}, epoch {@code e}, whose key is the seq's decimal text. */
  static ChangeEvent event(long seq) {
    return new ChangeEvent("t", "e", seq, ChangeOp.UPDATE, Long.toString(seq), "{}", seq, NO_FRAME);
  }
}
