package io.slipstream.core.buffer;

import io.slipstream.core.message.DropReason;
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
   * @param reason why they were dropped ({@code dropped.reason})
   */
  void dropped(String topic, long from, long to, long count, DropReason reason);

  /**
   * A compacted run follows (policy {@code conflate}): of the changes {@code from..to} of {@code
   * topic}, {@code count} were replaced by a later value of their key and will not come; the others
   * follow in order, the last of them carrying seq {@code to}.
   */
  void conflated(String topic, long from, long to, long count);
}
