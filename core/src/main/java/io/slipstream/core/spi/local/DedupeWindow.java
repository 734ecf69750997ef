package io.slipstream.core.spi.local;

import io.slipstream.core.spi.PublishOutcome;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One topic's remembered {@code Idempotency-Key}s: for each of the last {@code window} keys, the
 * digest of its changes and the answer it got (docs/protocol.md §10).
 *
 * <p>Confined to the topic's sequencer. Bounded: at most {@code window} keys (the oldest goes
 * first), each of at most 256 characters, and every entry's {@link #entryBytes} is charged to the
 * node's {@link TopicStateBudget} by the sequencer, so all windows together stay within it.
 */
final class DedupeWindow {

  /** Bytes an entry costs beyond its key's characters: map node, key String, entry, outcome. */
  static final int ENTRY_OVERHEAD_BYTES = 160;

  /** What a key was first used with. */
  record Seen(BodyDigest digest, PublishOutcome outcome) {}

  private final int window;
  // Insertion order is age: the eldest entry is the one to evict.
  private final LinkedHashMap<String, Seen> keys = new LinkedHashMap<>();
  private long bytes;

  /**
   * @param window keys remembered at most; at least 1
   */
  DedupeWindow(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("idempotencyWindow must be at least 1, was " + window);
    }
    this.window = window;
  }

  /** The estimated bytes one entry for {@code key} costs. */
  static long entryBytes(String key) {
    return ENTRY_OVERHEAD_BYTES + key.length();
  }

  /** What {@code key} was first used with, or null when it is not (or no longer) remembered. */
  Seen get(String key) {
    return keys.get(key);
  }

  /**
   * Remembers the applied answer of a new key, evicting the oldest key beyond the window.
   *
   * @return the bytes freed by evictions (the new entry's {@link #entryBytes} were reserved by the
   *     caller)
   */
  long remember(String key, BodyDigest digest, PublishOutcome outcome) {
    if (keys.put(key, new Seen(digest, outcome)) != null) {
      throw new IllegalStateException("key already remembered: a repeat must be answered first");
    }
    bytes += entryBytes(key);
    long freed = 0;
    Iterator<Map.Entry<String, Seen>> eldest = keys.entrySet().iterator();
    while (keys.size() > window) {
      String gone = eldest.next().getKey();
      eldest.remove();
      freed += entryBytes(gone);
    }
    bytes -= freed;
    return freed;
  }

  /** Keys remembered now. */
  int size() {
    return keys.size();
  }

  /** The estimated bytes of every entry. */
  long bytes() {
    return bytes;
  }
}
