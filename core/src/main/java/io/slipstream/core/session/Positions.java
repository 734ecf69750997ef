package io.slipstream.core.session;

import io.slipstream.core.topic.Position;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a session combines the positions of its connections: one set overlaid with a newer one,
 * bounded by the session's {@code maxSubscriptions}. Shared by every session store, so a clustered
 * one records exactly what the node-local one does.
 *
 * <p>Stateless and thread-safe.
 */
public final class Positions {

  private Positions() {}

  /**
   * {@code older} overlaid with {@code newer} (newer wins), at most {@code maxTopics} entries,
   * newer ones first; immutable. A null position (restart from a snapshot) is kept as a value.
   */
  public static Map<String, Position> merge(
      Map<String, Position> older, Map<String, Position> newer, int maxTopics) {
    if (older.isEmpty() && newer.size() <= maxTopics) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(newer));
    }
    LinkedHashMap<String, Position> merged = new LinkedHashMap<>();
    for (Map.Entry<String, Position> e : newer.entrySet()) {
      if (merged.size() == maxTopics) {
        break;
      }
      merged.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Position> e : older.entrySet()) {
      if (merged.size() == maxTopics) {
        break;
      }
      merged.putIfAbsent(e.getKey(), e.getValue());
    }
    return Collections.unmodifiableMap(merged);
  }
}
