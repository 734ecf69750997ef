package io.slipstream.server.fuzz;

import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The topics the fuzz may touch, published over HTTP before it starts and never changed while it
 * runs, with their exact state (epoch, seq, rows) and history, so that every snapshot and replay
 * the server sends can be checked value by value. The node is started with {@code maxTopics}
 * equal to their number: a subscribe to any other name must get {@code error topic-limit}, and
 * the fuzz cannot grow the node's topics.
 *
 * <p>Immutable once published; thread-safe.
 */
final class TopicFixture {

  /** One published change, as the server must replay it. */
  record Change(long seq, String op, String key, Object row) {}

  /** One topic's state and history. Rows and history hold {@link StrictJson} values. */
  record Topic(String name, String epoch, long seq, Map<String, Object> rows, List<Change> history) {
    /** The change with {@code seq} (1-based). */
    Change change(long s) {
      return history.get((int) (s - 1));
    }
  }

  private final Map<String, Topic> topics;
  private final List<String> names;

  private TopicFixture(Map<String, Topic> topics) {
    this.topics = topics;
    this.names = List.copyOf(topics.keySet());
  }

  /**
   * Publishes {@code count} topics {@code fz.0 .. fz.<count-1>}: {@code fz.0} ends empty (an
   * INSERT and its DELETE), the others hold one to four rows whose keys and values need escaping,
   * reached through updates and deletes.
   */
  static TopicFixture publish(TestServer server, int count) {
    Map<String, Topic> topics = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = "fz." + i;
      JsonArray changes = new JsonArray();
      if (i == 0) {
        changes.add(upsert("INSERT", "gone", row(0, 0)));
        changes.add(new JsonObject().put("op", "DELETE").put("key", "gone"));
      } else {
        int rows = 1 + i % 4;
        for (int k = 0; k <= rows; k++) {
          changes.add(upsert("INSERT", key(k), row(i, k)));
        }
        changes.add(upsert("UPDATE", key(0), row(i, 100)));
        changes.add(new JsonObject().put("op", "DELETE").put("key", key(rows)));
      }
      JsonObject r = server.publish(name, changes);
      String epoch = r.getString("epoch");
      long first = r.getLong("firstSeq");
      if (first != 1) {
        throw new AssertionError("fixture topic " + name + " was not new: " + r);
      }
      List<Change> history = new ArrayList<>();
      Map<String, Object> state = new HashMap<>();
      for (int c = 0; c < changes.size(); c++) {
        JsonObject ch = changes.getJsonObject(c);
        Object row = ch.containsKey("row") ? parse(ch.getJsonObject("row").encode()) : null;
        history.add(new Change(first + c, ch.getString("op"), ch.getString("key"), row));
        if (row == null) {
          state.remove(ch.getString("key"));
        } else {
          state.put(ch.getString("key"), row);
        }
      }
      topics.put(
          name,
          new Topic(
              name,
              epoch,
              r.getLong("lastSeq"),
              Collections.unmodifiableMap(state),
              List.copyOf(history)));
    }
    return new TopicFixture(Collections.unmodifiableMap(topics));
  }

  private static String key(int k) {
    // Keys a JSON writer must escape, and keys beyond ASCII.
    switch (k % 3) {
      case 0:
        return "k" + k;
      case 1:
        return "q\"uote\\" + k;
      default:
        return "ключ-" + k;
    }
  }

  private static JsonObject row(int topic, int k) {
    return new JsonObject()
        .put("n", topic * 1000 + k)
        .put("s", "é€😀 \"q\" \\ / \t" + k)
        .put("nested", new JsonObject().put("a", new JsonArray().add(1).add(true).addNull()))
        .put("neg", -k);
  }

  private static JsonObject upsert(String op, String key, JsonObject row) {
    return new JsonObject().put("op", op).put("key", key).put("row", row);
  }

  private static Object parse(String json) {
    try {
      return StrictJson.parse(json);
    } catch (StrictJson.Malformed | StrictJson.Ambiguous e) {
      throw new AssertionError("fixture row is not strict JSON: " + json, e);
    }
  }

  /** The topic names, in a fixed order. */
  List<String> names() {
    return names;
  }

  /** The topic, or null when {@code name} is not one of the fixture's. */
  Topic get(String name) {
    return topics.get(name);
  }

  int size() {
    return names.size();
  }
}
