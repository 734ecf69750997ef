package io.slipstream.server.log;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Sets up the node's logging once, at start: the output format ({@code log.format}: {@code json},
 * {@code text}, or {@code auto}, JSON unless standard error is a terminal) and a level per logger
 * ({@code log.levels}: {@code io.slipstream=INFO,io.netty=WARN}, a logger's level covering its
 * package and below).
 *
 * <p>Call from the main thread before Vert.x starts. Keeps a strong reference to every logger it
 * set a level on: {@code java.util.logging} holds loggers weakly and would forget the level.
 */
public final class Logging {

  /** The {@code log.format} values. */
  public static final String JSON = "json";

  public static final String TEXT = "text";
  public static final String AUTO = "auto";

  /**
   * Levels that hold unless {@code log.levels} names the logger. Micrometer's registry logs a
   * WARNING ("This Gauge has been already registered") the first time a gauge is registered
   * twice, and vertx-micrometer registers its HTTP server gauges again for every verticle instance
   * by design (the value stays right: the instances share one counter per gauge), so every node
   * printed one at its first connections.
   */
  static final Map<String, Level> BASELINE =
      Map.of("io.micrometer.core.instrument.MeterRegistry", Level.SEVERE);

  /**
   * Loggers whose levels were set, held so that their levels stay. Bound: one per configured name
   * and one per {@link #BASELINE} entry.
   */
  private static final Map<String, Logger> CONFIGURED = new LinkedHashMap<>();

  private Logging() {}

  /** Whether {@code format} is a {@code log.format} value. */
  public static boolean isFormat(String format) {
    return JSON.equals(format) || TEXT.equals(format) || AUTO.equals(format);
  }

  /**
   * The levels of {@code log.levels}: {@code logger=LEVEL,...}, levels as {@code java.util.logging}
   * names them or as SLF4J does ({@code ERROR}, {@code WARN}, {@code INFO}, {@code DEBUG}, {@code
   * TRACE}).
   *
   * @throws IllegalArgumentException a sentence starting with {@code log.levels}
   */
  public static Map<String, Level> parseLevels(String spec) {
    Map<String, Level> out = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      String name = eq < 0 ? "" : part.substring(0, eq).trim();
      Level level = eq < 0 ? null : level(part.substring(eq + 1).trim());
      if (name.isEmpty() || level == null) {
        throw new IllegalArgumentException(
            "log.levels must be logger=LEVEL pairs, comma-separated (levels ERROR, WARN, INFO,"
                + " DEBUG, TRACE or a java.util.logging level), was \""
                + spec
                + "\"");
      }
      out.put(name, level);
    }
    return out;
  }

  private static Level level(String name) {
    switch (name.toUpperCase(Locale.ROOT)) {
      case "ERROR":
        return Level.SEVERE;
      case "WARN":
        return Level.WARNING;
      case "DEBUG":
        return Level.FINE;
      case "TRACE":
        return Level.FINEST;
      default:
        try {
          return Level.parse(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          return null;
        }
    }
  }

  /**
   * Replaces the root handlers with one on standard error in {@code format}, and sets the levels.
   *
   * @param interactive whether standard error is a terminal (for {@code auto})
   */
  public static void configure(String format, String levels, boolean interactive) {
    Map<String, Level> parsed = parseLevels(levels);
    // Vert.x logs through java.util.logging unless told otherwise; say so, so that an SLF4J API
    // without a provider on the class path cannot swallow its lines.
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        System.getProperty(
            "vertx.logger-delegate-factory-class-name",
            "io.vertx.core.logging.JULLogDelegateFactory"));
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setLevel(Level.ALL);
    boolean json = JSON.equals(format) || (AUTO.equals(format) && !interactive);
    handler.setFormatter(json ? new JsonLogFormatter() : new TextFormatter());
    root.addHandler(handler);
    synchronized (CONFIGURED) {
      CONFIGURED.clear();
      Map<String, Level> effective = new LinkedHashMap<>(BASELINE);
      effective.putAll(parsed);
      effective.forEach(
          (name, level) -> {
            Logger l = Logger.getLogger(name);
            l.setLevel(level);
            CONFIGURED.put(name, l);
          });
    }
  }

  /** One line per record, the structured fields as {@code key=value} after the message. */
  static final class TextFormatter extends Formatter {
    private final SimpleFormatter simple = new SimpleFormatter();

    @Override
    public String format(LogRecord r) {
      LogFields fields = JsonLogFormatter.fields(r);
      if (fields == null) {
        return simple.format(r);
      }
      LogRecord plain = new LogRecord(r.getLevel(), r.getMessage() + " " + fields);
      plain.setLoggerName(r.getLoggerName());
      plain.setMillis(r.getMillis());
      plain.setThrown(r.getThrown());
      plain.setSourceClassName(r.getSourceClassName());
      plain.setSourceMethodName(r.getSourceMethodName());
      return simple.format(plain);
    }
  }
}
