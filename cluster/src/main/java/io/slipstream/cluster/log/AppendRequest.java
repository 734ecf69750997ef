package io.slipstream.cluster.log;

import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.TopicName;
import java.util.List;

/**
 * One publish to hand to the {@link TopicAuthority}: validated changes, when, and under which
 * {@code Idempotency-Key}.
 *
 * <p>Immutable.
 *
 * @param topic a valid topic name
 * @param publishId the {@code Idempotency-Key}, at most {@link LogLimits#MAX_PUBLISH_ID_LENGTH}
 *     characters, or null for a publish without one (then a retry may apply it twice,
 *     docs/protocol.md §10)
 * @param changes at least one, applied all together
 * @param ts publish time from this node's clock, ms since the Unix epoch
 * @param bodyHash the body's hash (see {@link #hashOf}), to answer a different body under a
 *     repeated key with {@code CONFLICT}
 */
public record AppendRequest(
    String topic, String publishId, List<ChangeRequest> changes, long ts, long bodyHash) {

  public AppendRequest {
    if (!TopicName.isValid(topic)) {
      throw new IllegalArgumentException("topic is not a valid topic name");
    }
    if (publishId != null
        && (publishId.isEmpty() || publishId.length() > LogLimits.MAX_PUBLISH_ID_LENGTH)) {
      throw new IllegalArgumentException(
          "publishId must be 1.." + LogLimits.MAX_PUBLISH_ID_LENGTH + " characters");
    }
    if (changes == null || changes.isEmpty()) {
      throw new IllegalArgumentException("changes must hold at least one change");
    }
    changes = List.copyOf(changes);
  }

  /** A request whose {@code bodyHash} is {@link #hashOf}{@code (changes)}. */
  public static AppendRequest of(
      String topic, String publishId, List<ChangeRequest> changes, long ts) {
    return new AppendRequest(topic, publishId, changes, ts, hashOf(changes));
  }

  /**
   * A 64-bit FNV-1a hash of the changes' ops, keys and rows, with separators so that no two
   * different lists of changes are the same character stream. Not cryptographic: it tells a
   * retry from a mistake, and a producer that forges a collision only fools itself.
   */
  public static long hashOf(List<ChangeRequest> changes) {
    long h = 0xcbf29ce484222325L;
    for (ChangeRequest c : changes) {
      h = mix(h, c.op().ordinal());
      h = mix(h, c.key());
      h = c.row() == null ? mix(h, -1) : mix(h, c.row());
    }
    return h;
  }

  private static long mix(long h, String s) {
    h = mix(h, s.length());
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }

  private static long mix(long h, int v) {
    for (int shift = 0; shift < 32; shift += 8) {
      h = (h ^ ((v >>> shift) & 0xff)) * 0x100000001b3L;
    }
    return h;
  }
}
