package io.slipstream.core.spi;

import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.TopicName;
import java.util.List;

/**
 * One publish, validated, as a producer asked for it (docs/protocol.md §10, §11).
 *
 * <p>Immutable (the list is copied).
 *
 * @param topic a valid topic name
 * @param changes at least one validated change, applied all or nothing
 * @param idempotencyKey the producer's {@code Idempotency-Key}, or null for none (see {@link
 *     #isValidIdempotencyKey})
 * @param ts publish time, ms since the Unix epoch
 * @param deadline monotonic ms ({@link io.slipstream.core.time.Clock#millis()}): a publish not
 *     begun by then is never applied
 */
public record Publish(
    String topic, List<ChangeRequest> changes, String idempotencyKey, long ts, long deadline) {

  /** The longest {@code Idempotency-Key}, in characters. */
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;

  public Publish {
    if (!TopicName.isValid(topic)) {
      throw new IllegalArgumentException("invalid topic name " + topic);
    }
    if (changes == null || changes.isEmpty()) {
      throw new IllegalArgumentException("a publish needs at least one change");
    }
    if (idempotencyKey != null && !isValidIdempotencyKey(idempotencyKey)) {
      throw new IllegalArgumentException("invalid idempotency key");
    }
    changes = List.copyOf(changes);
  }

  /**
   * Whether {@code key} may be an {@code Idempotency-Key}: 1 to {@value
   * #MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters (what HTTP headers carry safely, and a
   * bound on what the dedupe window holds per key).
   */
  public static boolean isValidIdempotencyKey(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
