package io.slipstream.core.buffer;

import io.slipstream.core.topic.ChangeEvent;

/**
 * Receives what {@link ClientBuffer#poll} takes off the buffer, in stream order.
 *
 * <p>Called on the buffer's owning thread.
 */
public interface BufferSink {

  /** The next live change. */
  void change(ChangeEvent event);

  /**
   * A gap: the changes {@code from..to} of {@code topic} were dropped and stood exactly here.
   *
   * @param count how many changes the gap holds ({@code to - from + 1})
   */
  void dropped(String topic, long from, long to, long count);
}
