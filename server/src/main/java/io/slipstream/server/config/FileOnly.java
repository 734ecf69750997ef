package io.slipstream.server.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values that come from the configuration file only (contract §10: "settings that are maps or
 * lists … come from the configuration file only; scalar settings also from properties, environment
 * and flags"): a list of strings ({@link Setting.Kind#LIST}) and a map of names to JSON scalars
 * ({@link Setting.Kind#MAP}). What an entry must look like is the record's business (its compact
 * constructor names the key); here only the JSON shape and the bound are checked.
 *
 * <p>Stateless and thread-safe. The values returned are unmodifiable; a map keeps the file's order,
 * so that "first matching pattern wins" rules can be written down.
 */
final class FileOnly {

  /** Most entries of one list or map: configuration, not data. */
  static final int MAX_ENTRIES = 1024;

  private FileOnly() {}

  /** Why a file-only setting was refused from text (property, environment, {@code --set}). */
  static IllegalArgumentException fromText(String key, String shape) {
    return new IllegalArgumentException(
        key
            + " is read from the configuration file only (--config FILE, as "
            + shape
            + "), like every list or map setting");
  }

  /** A JSON array of strings as an unmodifiable list; JSON {@code null} unsets it (null). */
  static List<String> list(String key, Object json) {
    if (json == null) {
      return null;
    }
    if (!(json instanceof JsonArray)) {
      throw shape(key, "a JSON array of strings", json);
    }
    JsonArray array = (JsonArray) json;
    requireBound(key, array.size());
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String)) {
        throw shape(key, "a JSON array of strings", json);
      }
      out.add((String) item);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * A JSON object whose values are strings, numbers or booleans, as an unmodifiable map in the
   * file's order; JSON {@code null} gives the empty map.
   */
  static Map<String, Object> map(String key, Object json) {
    if (json == null) {
      return Map.of();
    }
    if (!(json instanceof JsonObject)) {
      throw shape(key, "a JSON object of names to strings, numbers or booleans", json);
    }
    JsonObject object = (JsonObject) json;
    requireBound(key, object.size());
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : object.fieldNames()) {
      Object v = object.getValue(name);
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        throw new IllegalArgumentException(
            key
                + "."
                + name
                + " must be a string, a number or a boolean, was "
                + Setting.Kind.describe(v));
      }
      out.put(name, v);
    }
    return Collections.unmodifiableMap(out);
  }

  /** A list as an operator would write it in the file, or {@code unset}. */
  @SuppressWarnings("unchecked")
  static String format(Object value) {
    if (value == null) {
      return "unset";
    }
    if (value instanceof List) {
      return new JsonArray(new ArrayList<>((List<?>) value)).encode();
    }
    return new JsonObject(new LinkedHashMap<>((Map<String, Object>) value)).encode();
  }

  private static void requireBound(String key, int size) {
    if (size > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          key + " must have at most " + MAX_ENTRIES + " entries, was " + size);
    }
  }

  private static IllegalArgumentException shape(String key, String expected, Object json) {
    return new IllegalArgumentException(
        key + " must be " + expected + ", was " + Setting.Kind.describe(json));
  }
}
