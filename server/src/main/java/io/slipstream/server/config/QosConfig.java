package io.slipstream.server.config;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.qos.AdaptiveBuffer;
import io.slipstream.core.qos.QosClass;
import io.slipstream.core.qos.QosClasses;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Binds the file-only setting {@code qos.classes} (docs/protocol.md §5, §12): an object of QoS
 * classes by name, each with any of {@code max}, {@code maxBytes}, {@code warn}, {@code
 * disconnect}, {@code policy}, {@code maxAgeMs}, {@code sustainMs}, {@code rate} (events/s, 0
 * unlimited), {@code askable} (default true), {@code compression} (true or false) and {@code
 * adaptive} ({@code {"min": entries, "targetDelayMs": ms}}, both required; absent for a fixed
 * bound), each field not given taken from the node's own {@code buffer.*}, {@code sustainMs} and
 * {@code compression.enabled}, which also make the class {@code standard} unless the file names it.
 * Topic priorities ({@code buffer.priorities}) are the node's for every class.
 *
 * <p>Stateless. A map cannot be spelled in an environment variable or a flag without a second
 * syntax, so it comes from the {@code --config} file only, as the contract says of every map.
 */
final class QosConfig {

  /** The setting's key. */
  static final String KEY = "qos.classes";

  private static final Set<String> FIELDS =
      Set.of(
          "max",
          "maxBytes",
          "warn",
          "disconnect",
          "policy",
          "maxAgeMs",
          "sustainMs",
          "rate",
          "askable",
          "compression",
          "adaptive");

  /** The fields of a class's {@code adaptive} object, all required. */
  private static final List<String> ADAPTIVE_FIELDS = List.of("min", "targetDelayMs");

  private QosConfig() {}

  /**
   * Only {@code standard}: the node's buffer settings, {@code sustainMs} and {@code
   * compression.enabled}, no throttling.
   */
  static QosClasses standardOnly(BufferLimits buffer, long sustainMs, boolean compression) {
    return QosClasses.only(standard(buffer, sustainMs, compression));
  }

  /** The class {@code standard} that the node's own settings make. */
  private static QosClass standard(BufferLimits buffer, long sustainMs, boolean compression) {
    return new QosClass(QosClass.STANDARD, buffer, sustainMs, 0, true, compression, null);
  }

  /**
   * The classes of {@code json} (null for none) over the node's {@code buffer}, {@code sustainMs}
   * and {@code compression} ({@code compression.enabled}).
   *
   * @throws IllegalArgumentException starting with the key at fault, e.g. {@code
   *     qos.classes.realtime.warn}
   */
  static QosClasses parse(
      JsonObject json, BufferLimits buffer, long sustainMs, boolean compression) {
    QosClass standard = standard(buffer, sustainMs, compression);
    if (json == null) {
      return QosClasses.only(standard);
    }
    List<QosClass> classes = new ArrayList<>();
    for (String name : json.fieldNames()) {
      String key = KEY + "." + name;
      if (!QosClass.isValidName(name)) {
        throw new IllegalArgumentException(
            key + " is not a class name: 1 to 32 of a-z, 0-9 and -, starting with a letter or digit");
      }
      Object value = json.getValue(name);
      if (!(value instanceof JsonObject)) {
        throw new IllegalArgumentException(
            key + " must be an object of class settings, was " + Setting.Kind.describe(value));
      }
      classes.add(parseClass(name, key, (JsonObject) value, standard));
    }
    try {
      return QosClasses.of(standard, classes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(KEY + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code classes} as the file would spell them, every field explicit, so that {@link #parse} over
   * the same node settings gives them back; {@code standard} only when it differs from the one
   * {@code buffer}, {@code sustainMs} and {@code compression} make. Null for {@code standard} only.
   */
  static JsonObject toJson(
      QosClasses classes, BufferLimits buffer, long sustainMs, boolean compression) {
    JsonObject out = new JsonObject();
    QosClass derived = standard(buffer, sustainMs, compression);
    for (QosClass c : classes.all()) {
      if (c.name().equals(QosClass.STANDARD) && c.equals(derived)) {
        continue;
      }
      BufferLimits b = c.buffer();
      JsonObject o =
          new JsonObject()
              .put("max", b.maxEvents())
              .put("maxBytes", b.maxBytes())
              .put("warn", b.warn())
              .put("disconnect", b.disconnect())
              .put("policy", b.policy().wireName())
              .put("maxAgeMs", b.maxAgeMs())
              .put("sustainMs", c.sustainMs())
              .put("rate", c.rate())
              .put("askable", c.askable())
              .put("compression", c.compression());
      if (c.isAdaptive()) {
        o.put(
            "adaptive",
            new JsonObject()
                .put("min", c.adaptive().minEvents())
                .put("targetDelayMs", c.adaptive().targetDelayMs()));
      }
      out.put(c.name(), o);
    }
    return out.isEmpty() ? null : out;
  }

  private static QosClass parseClass(String name, String key, JsonObject c, QosClass base) {
    for (String field : c.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException(
            key + "." + field + " is not a class setting (" + String.join(", ", sorted()) + ")");
      }
    }
    BufferLimits b = base.buffer();
    int max = (int) whole(c, key, "max", b.maxEvents(), 1, Integer.MAX_VALUE);
    long maxBytes = whole(c, key, "maxBytes", b.maxBytes(), 1, Long.MAX_VALUE);
    double warn = decimal(c, key, "warn", b.warn());
    double disconnect = decimal(c, key, "disconnect", b.disconnect());
    DropPolicy policy = b.policy();
    if (c.containsKey("policy")) {
      policy = (DropPolicy) Setting.Kind.POLICY.fromJson(key + ".policy", c.getValue("policy"));
    }
    long maxAgeMs = whole(c, key, "maxAgeMs", b.maxAgeMs(), 1, Long.MAX_VALUE);
    long sustainMs = whole(c, key, "sustainMs", base.sustainMs(), 0, Long.MAX_VALUE);
    double rate = decimal(c, key, "rate", 0);
    boolean askable = flag(c, key, "askable", true);
    // Absent, the node's compression.enabled: a class says only where it differs.
    boolean compression = flag(c, key, "compression", base.compression());
    AdaptiveBuffer adaptive =
        c.containsKey("adaptive") ? adaptive(key, c.getValue("adaptive")) : null;
    BufferLimits limits;
    try {
      // Topic priorities are the node's (buffer.priorities): a class picks the policy, not them.
      limits = new BufferLimits(max, maxBytes, warn, disconnect, policy, maxAgeMs, b.priorities());
    } catch (IllegalArgumentException e) {
      // BufferLimits names buffer.*; here the fields are the class's own.
      throw new IllegalArgumentException(
          e.getMessage().replace("buffer.", key + "."), e);
    }
    try {
      return new QosClass(name, limits, sustainMs, rate, askable, compression, adaptive);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + "." + e.getMessage(), e);
    }
  }

  /** A class's {@code adaptive} object: {@code min} entries and {@code targetDelayMs}. */
  private static AdaptiveBuffer adaptive(String classKey, Object value) {
    String key = classKey + ".adaptive";
    if (!(value instanceof JsonObject)) {
      throw new IllegalArgumentException(
          key
              + " must be an object {\"min\": entries, \"targetDelayMs\": ms}, was "
              + Setting.Kind.describe(value));
    }
    JsonObject a = (JsonObject) value;
    for (String field : a.fieldNames()) {
      if (!ADAPTIVE_FIELDS.contains(field)) {
        throw new IllegalArgumentException(
            key
                + "."
                + field
                + " is not an adaptive setting ("
                + String.join(", ", ADAPTIVE_FIELDS)
                + ")");
      }
    }
    for (String field : ADAPTIVE_FIELDS) {
      if (!a.containsKey(field)) {
        throw new IllegalArgumentException(key + "." + field + " is required");
      }
    }
    int min = (int) whole(a, key, "min", 0, 1, Integer.MAX_VALUE);
    long targetDelayMs = whole(a, key, "targetDelayMs", 0, 1, AdaptiveBuffer.MAX_TARGET_DELAY_MS);
    return new AdaptiveBuffer(min, targetDelayMs);
  }

  private static List<String> sorted() {
    List<String> names = new ArrayList<>(FIELDS);
    names.sort(null);
    return names;
  }

  private static boolean flag(JsonObject c, String key, String field, boolean dflt) {
    if (!c.containsKey(field)) {
      return dflt;
    }
    Object v = c.getValue(field);
    if (!(v instanceof Boolean)) {
      throw new IllegalArgumentException(
          key + "." + field + " must be true or false, was " + Setting.Kind.describe(v));
    }
    return (Boolean) v;
  }

  private static long whole(JsonObject c, String key, String field, long dflt, long min, long max) {
    if (!c.containsKey(field)) {
      return dflt;
    }
    Object v = c.getValue(field);
    if (!(v instanceof Integer || v instanceof Long)) {
      throw new IllegalArgumentException(
          key + "." + field + " must be a whole number, was " + Setting.Kind.describe(v));
    }
    long n = ((Number) v).longValue();
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          key + "." + field + " must be " + min + " to " + max + ", was " + n);
    }
    return n;
  }

  private static double decimal(JsonObject c, String key, String field, double dflt) {
    if (!c.containsKey(field)) {
      return dflt;
    }
    Object v = c.getValue(field);
    if (!(v instanceof Number)) {
      throw new IllegalArgumentException(
          key + "." + field + " must be a number, was " + Setting.Kind.describe(v));
    }
    return ((Number) v).doubleValue();
  }
}
