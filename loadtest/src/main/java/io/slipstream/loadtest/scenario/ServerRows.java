package io.slipstream.loadtest.scenario;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/**
 * A topic's rows as {@code GET /api/topics/{topic}/rows} gives them, reduced to what the tool's
 * rows carry: the version {@code v} of each key {@code k0..k<keys-1>} (-1: absent, -2: a row
 * without {@code v}).
 *
 * <p>Immutable once built (the array is not handed out).
 *
 * @param epoch the topic's epoch
 * @param seq the seq the rows are at
 * @param size how many rows the server listed
 * @param unparsable rows whose key is not {@code k<index>}
 */
record ServerRows(String epoch, long seq, int size, int unparsable, long[] versions) {

  /** Reads the answer for keys {@code k0..k<keys-1>}; keys beyond are ignored. */
  static ServerRows parse(JsonObject server, int keys) {
    long[] versions = new long[keys];
    Arrays.fill(versions, -1);
    JsonArray rows = server.getJsonArray("rows", new JsonArray());
    int unparsable = 0;
    for (Object e : rows) {
      JsonObject entry = (JsonObject) e;
      String key = entry.getString("key", "");
      Object row = entry.getValue("row");
      long v = row instanceof JsonObject ? ((JsonObject) row).getLong("v", -2L) : -2;
      int index;
      try {
        index = key.startsWith("k") ? Integer.parseInt(key.substring(1)) : -1;
      } catch (NumberFormatException x) {
        index = -1;
      }
      if (index < 0) {
        unparsable++;
      } else if (index < keys) {
        versions[index] = v;
      }
    }
    return new ServerRows(
        server.getString("epoch"), server.getLong("seq", -1L), rows.size(), unparsable, versions);
  }

  /**
   * The first key where {@code client} (a client's tracked versions, may be null) differs, as a
   * sentence naming {@code who}, or null when it holds exactly these rows.
   */
  String firstDifference(String who, long[] client) {
    for (int i = 0; i < versions.length; i++) {
      long mine = client == null || i >= client.length ? Long.MIN_VALUE : client[i];
      if (mine != versions[i]) {
        return who
            + " key k"
            + i
            + ": client v="
            + (client == null ? "none" : mine)
            + ", server v="
            + versions[i];
      }
    }
    return null;
  }

  /** Keys where {@code client} differs. */
  int differences(long[] client) {
    int wrong = 0;
    for (int i = 0; i < versions.length; i++) {
      if (client == null || i >= client.length || client[i] != versions[i]) {
        wrong++;
      }
    }
    return wrong;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerRows
        && ((ServerRows) o).seq == seq
        && java.util.Objects.equals(((ServerRows) o).epoch, epoch)
        && Arrays.equals(((ServerRows) o).versions, versions);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seq) * 31 + Arrays.hashCode(versions);
  }

  @Override
  public String toString() {
    return "rows at seq " + seq + " of epoch " + epoch + " (" + size + " rows)";
  }
}
