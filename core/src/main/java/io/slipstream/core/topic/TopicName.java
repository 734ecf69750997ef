package io.slipstream.core.topic;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import java.util.Optional;

/**
 * Rules for topic names: {@code [A-Za-z0-9._-]{1,128}} (docs/protocol.md §1).
 *
 * <p>Stateless and thread-safe. Names are kept as plain {@code String}s on the hot path; this
 * class only checks them at the edge. A valid name needs no JSON escaping.
 */
public final class TopicName {

  /** The longest topic name, in characters. */
  public static final int MAX_LENGTH = 128;

  private TopicName() {}

  /** Whether {@code name} is a valid topic name. */
  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The violation for an invalid name, or empty when the name is valid. */
  public static Optional<Violation> check(String name) {
    if (isValid(name)) {
      return Optional.empty();
    }
    return Optional.of(
        new Violation(
            ErrorCode.BAD_TOPIC,
            "topic must match [A-Za-z0-9._-]{1,128}, was " + describe(name)));
  }

  static String describe(String s) {
    if (s == null) {
      return "missing";
    }
    String shown = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    return "'" + shown + "' (" + s.length() + " chars)";
  }
}
