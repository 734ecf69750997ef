package io.slipstream.core.topic;

/**
 * Serializes a sequenced change to the bytes of its {@code change} message, once, when the topic
 * applies it; every connection then writes the same bytes.
 *
 * <p>Implementations must be thread-safe and must not retain the event.
 */
@FunctionalInterface
public interface ChangeEncoder {

  /** The UTF-8 bytes of the {@code change} message for {@code event}. */
  byte[] encode(ChangeEvent event);
}
