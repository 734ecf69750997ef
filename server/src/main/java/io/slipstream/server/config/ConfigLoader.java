package io.slipstream.server.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds a {@link SlipstreamConfig} once, at start, from (later wins) the defaults, a JSON file
 * ({@code --config FILE}), JVM system properties ({@code slipstream.KEY}), the environment
 * ({@code SLIPSTREAM_KEY} in upper snake case, dots as {@code _}) and flags ({@code --port},
 * {@code --host}, {@code --set KEY=VALUE}), as the README's settings table prescribes
 * (docs/protocol.md §12).
 *
 * <p>Stateless and thread-safe. The environment and system properties are parameters, so tests
 * never touch the real ones. Every source is bound through the same table of keys ({@link
 * Setting}). Any bad input, even one a later source overrides, is a {@link ConfigException}
 * naming the setting, the bad value and where it came from. The file and {@code --set} reject
 * unknown keys; the environment and system properties are read only for known keys, because
 * platforms inject variables of their own ({@code SLIPSTREAM_SERVICE_HOST} on Kubernetes).
 */
public final class ConfigLoader {

  private static final String CONFIG_FLAG = "--config";

  private ConfigLoader() {}

  /**
   * The configuration for these command-line arguments, environment and system properties.
   *
   * @param args command-line arguments, e.g. {@code ["--port", "9000", "--set", "buffer.max=100"]}
   * @param env environment variables, e.g. {@code System.getenv()}
   * @param systemProperties JVM system properties as strings
   * @throws ConfigException naming the setting (or flag) at fault
   */
  public static SlipstreamConfig load(
      List<String> args, Map<String, String> env, Map<String, String> systemProperties) {
    Flags flags = Flags.parse(args);
    Values values = new Values(SlipstreamConfig.defaults());
    if (flags.configFile != null) {
      readFile(flags.configFile, values);
    }
    for (Setting s : Setting.values()) {
      String text = systemProperties.get(s.propertyName());
      if (text != null) {
        values.putText(s, text, "system property " + s.propertyName());
      }
    }
    for (Setting s : Setting.values()) {
      String text = env.get(s.envName());
      if (text != null) {
        values.putText(s, text, "environment variable " + s.envName());
      }
    }
    for (Flags.Assignment a : flags.assignments) {
      values.putText(a.setting(), a.text(), a.source());
    }
    return values.build();
  }

  /** Whether the arguments ask for {@link #usage()} ({@code --help} or {@code -h}). */
  public static boolean helpRequested(List<String> args) {
    return Flags.parse(args).help;
  }

  /** The {@code --help} text: the flags, then every key with its environment variable and default. */
  public static String usage() {
    SlipstreamConfig defaults = SlipstreamConfig.defaults();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"KEY", "ENVIRONMENT", "DEFAULT", "MEANING"});
    for (Setting s : Setting.values()) {
      // A map or list has no environment variable (nor property, nor flag): file only.
      String env = s.fileOnly() ? "(file only)" : s.envName();
      rows.add(new String[] {s.key(), env, s.format(s.get(defaults)), s.meaning()});
    }
    int[] widths = new int[3];
    for (String[] row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("Usage: java -jar slipstream.jar [--port N] [--host HOST] [--config FILE]")
        .append(" [--set KEY=VALUE]... [--help]\n\n")
        .append("Streams live table changes to WebSocket and SockJS clients.\n\n")
        .append("Flags:\n")
        .append("  --port N          same as --set port=N\n")
        .append("  --host HOST       same as --set host=HOST\n")
        .append("  --cluster         join a cluster (same as --set cluster.enabled=true)\n")
        .append("  --cluster-host H  --cluster-port P  --cluster-members h:p,h:p\n")
        .append("                    as --set cluster.host=H (cluster.port, cluster.members)\n")
        .append("  --config FILE     JSON settings, nested {\"buffer\":{\"max\":100}}")
        .append(" or dotted {\"buffer.max\":100}\n")
        .append("  --set KEY=VALUE   any setting below; may be repeated\n")
        .append("  --help, -h        print this text\n\n")
        .append("Each setting is taken from, later winning: its default, the --config file,\n")
        .append("the system property slipstream.KEY, the environment variable below, a flag.\n")
        .append("Lists and maps (file only) come from the --config file alone.\n\n");
    for (String[] row : rows) {
      for (int i = 0; i < widths.length; i++) {
        out.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
      }
      out.append(row[3]).append('\n');
    }
    return out.toString();
  }

  private static void readFile(String file, Values values) {
    String where = "config file " + file;
    String text;
    try {
      text = Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException(CONFIG_FLAG, where + " (" + CONFIG_FLAG + ") does not exist", e);
    } catch (CharacterCodingException e) {
      throw new ConfigException(CONFIG_FLAG, where + " (" + CONFIG_FLAG + ") is not UTF-8", e);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          CONFIG_FLAG, where + " (" + CONFIG_FLAG + ") cannot be read: " + e, e);
    }
    if (text.isBlank()) {
      throw new ConfigException(CONFIG_FLAG, where + " (" + CONFIG_FLAG + ") is empty");
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ConfigException(
          CONFIG_FLAG,
          where + " (" + CONFIG_FLAG + ") is not valid JSON: " + firstLine(e.getMessage()),
          e);
    }
    if (!(decoded instanceof JsonObject)) {
      throw new ConfigException(
          CONFIG_FLAG,
          where
              + " ("
              + CONFIG_FLAG
              + ") must hold a JSON object of settings, was "
              + (decoded == null ? "empty" : Setting.Kind.describe(decoded)));
    }
    Map<Setting, String> seen = new EnumMap<>(Setting.class);
    readObject((JsonObject) decoded, "", where, seen, values);
  }

  /** Accepts nested groups ({@code "buffer": {"max": 1}}) and dotted keys ({@code "buffer.max"}). */
  private static void readObject(
      JsonObject json, String prefix, String where, Map<Setting, String> seen, Values values) {
    for (String name : json.fieldNames()) {
      String key = prefix + name;
      Object value = json.getValue(name);
      Optional<Setting> setting = Setting.byKey(key);
      if (setting.isPresent()) {
        Setting s = setting.get();
        String earlier = seen.put(s, key);
        if (earlier != null) {
          throw new ConfigException(
              s.key(), s.key() + " is given twice in " + where + " (nested and dotted)");
        }
        values.putJson(s, value, where);
      } else if (Setting.isGroup(key)) {
        if (!(value instanceof JsonObject)) {
          throw new ConfigException(
              key,
              key
                  + " must be an object of "
                  + key
                  + ".* settings, was "
                  + Setting.Kind.describe(value)
                  + " ("
                  + where
                  + ")");
        }
        readObject((JsonObject) value, key + ".", where, seen, values);
      } else {
        throw unknown(key, where);
      }
    }
  }

  static ConfigException unknown(String key, String where) {
    String hint = Setting.suggest(key).map(k -> "; did you mean " + k + "?").orElse("");
    return new ConfigException(
        key, "unknown setting \"" + key + "\" in " + where + hint + " (--help lists them all)");
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * The value of every setting so far, and where each non-default came from.
   *
   * <p>Mutable and confined to one {@link #load} call.
   */
  private static final class Values {
    private final Map<Setting, Object> values = new EnumMap<>(Setting.class);
    private final Map<Setting, String> sources = new EnumMap<>(Setting.class);

    Values(SlipstreamConfig defaults) {
      for (Setting s : Setting.values()) {
        values.put(s, s.get(defaults));
      }
    }

    void putText(Setting s, String text, String source) {
      try {
        put(s, s.fromText(text), source);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(s.key(), e.getMessage() + " (" + source + ")", e);
      }
    }

    void putJson(Setting s, Object json, String source) {
      try {
        put(s, s.fromJson(json), source);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(s.key(), e.getMessage() + " (" + source + ")", e);
      }
    }

    private void put(Setting s, Object value, String source) {
      values.put(s, value);
      sources.put(s, source);
    }

    SlipstreamConfig build() {
      Setting.Draft draft = new Setting.Draft();
      values.forEach((s, v) -> s.set(draft, v));
      SlipstreamConfig config;
      try {
        config = draft.build();
      } catch (IllegalArgumentException e) {
        // The records' messages start with the key they are about.
        String message = e.getMessage() == null ? "invalid configuration" : e.getMessage();
        int space = message.indexOf(' ');
        String key = space < 0 ? message : message.substring(0, space);
        // A class's field (qos.classes.realtime.max) is reported as the setting that holds it.
        Optional<Setting> s =
            Setting.byKey(key.startsWith(QosConfig.KEY + ".") ? QosConfig.KEY : key);
        String source = s.map(sources::get).map(where -> " (" + where + ")").orElse("");
        throw new ConfigException(s.map(Setting::key).orElse("config"), message + source, e);
      }
      // The key files are read now, so that one that cannot be used stops the start (exit 2).
      JwtKeys.load(config);
      return config;
    }
  }

  /**
   * The command line, parsed: {@code --config}, {@code --help}, and the settings the flags set, in
   * order.
   *
   * <p>Immutable after {@link #parse}.
   */
  private static final class Flags {
    private String configFile;
    private boolean help;
    private final List<Assignment> assignments = new ArrayList<>();

    /** One setting given on the command line, as text, and the flag that gave it. */
    private record Assignment(Setting setting, String text, String source) {}

    static Flags parse(List<String> args) {
      Flags flags = new Flags();
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        String name = arg;
        String value = null;
        int eq = arg.indexOf('=');
        if (arg.startsWith("--") && eq > 0) {
          name = arg.substring(0, eq);
          value = arg.substring(eq + 1);
        }
        switch (name) {
          case "--help":
          case "-h":
            flags.help = true;
            break;
          case "--port":
            if (value == null) {
              value = valueAfter(args, ++i, name);
            }
            flags.assignments.add(new Assignment(Setting.PORT, value, "flag --port"));
            break;
          case "--host":
            if (value == null) {
              value = valueAfter(args, ++i, name);
            }
            flags.assignments.add(new Assignment(Setting.HOST, value, "flag --host"));
            break;
          case "--cluster":
            flags.assignments.add(
                new Assignment(
                    Setting.CLUSTER_ENABLED, value == null ? "true" : value, "flag --cluster"));
            break;
          case "--cluster-host":
          case "--cluster-port":
          case "--cluster-members":
            if (value == null) {
              value = valueAfter(args, ++i, name);
            }
            Setting cs =
                name.equals("--cluster-host")
                    ? Setting.CLUSTER_HOST
                    : name.equals("--cluster-port")
                        ? Setting.CLUSTER_PORT
                        : Setting.CLUSTER_MEMBERS;
            flags.assignments.add(new Assignment(cs, value, "flag " + name));
            break;
          case CONFIG_FLAG:
            if (value == null) {
              value = valueAfter(args, ++i, name);
            }
            if (flags.configFile != null) {
              throw new ConfigException(
                  CONFIG_FLAG,
                  CONFIG_FLAG + " is given twice (" + flags.configFile + ", " + value + ")");
            }
            flags.configFile = value;
            break;
          case "--set":
            if (value == null) {
              value = valueAfter(args, ++i, name);
            }
            int split = value.indexOf('=');
            if (split <= 0) {
              throw new ConfigException(
                  "--set", "--set needs KEY=VALUE, was " + Setting.Kind.describe(value));
            }
            String key = value.substring(0, split);
            Setting s = Setting.byKey(key).orElseThrow(() -> unknown(key, "flag --set"));
            flags.assignments.add(
                new Assignment(s, value.substring(split + 1), "flag --set " + key));
            break;
          default:
            throw new ConfigException(
                arg,
                (arg.startsWith("-") ? "unknown flag " : "unexpected argument ")
                    + Setting.Kind.describe(arg)
                    + " (--help lists the flags)");
        }
      }
      return flags;
    }

    private static String valueAfter(List<String> args, int i, String flag) {
      if (i >= args.size()) {
        throw new ConfigException(flag, flag + " needs a value");
      }
      return args.get(i);
    }
  }
}
