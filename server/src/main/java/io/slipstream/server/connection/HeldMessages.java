package io.slipstream.server.connection;

import java.util.ArrayDeque;

/**
 * The messages a client sent after its {@code hello} while the session store answers it, held to
 * be answered after the {@code welcome}, in order (docs/protocol.md §3): at most {@link
 * #MAX_MESSAGES} of at most {@link #MAX_CHARS} characters together. A client may pipeline its
 * first subscribes behind the hello, but nothing more is worth holding.
 *
 * <p>Confined to its connection's event loop.
 */
final class HeldMessages {

  /** Most messages held. */
  static final int MAX_MESSAGES = 32;

  /** Most characters held, all messages together. */
  static final int MAX_CHARS = 64 * 1024;

  private final ArrayDeque<String> held = new ArrayDeque<>();
  private int chars;

  /** Holds {@code text}; false (and holds nothing) when that would pass a bound. */
  boolean offer(String text) {
    if (held.size() >= MAX_MESSAGES || chars + text.length() > MAX_CHARS) {
      return false;
    }
    held.add(text);
    chars += text.length();
    return true;
  }

  /** The oldest message held, removed; null when none is. */
  String poll() {
    String text = held.poll();
    if (text != null) {
      chars -= text.length();
    }
    return text;
  }

  /** Forgets every message held. */
  void clear() {
    held.clear();
    chars = 0;
  }
}
