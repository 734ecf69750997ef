package io.slipstream.server.log;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The named fields of one structured log record (connection id, session, close code, …), printed as
 * fields of its JSON object by {@link JsonLogFormatter} and as {@code key=value} pairs by the text
 * format. Never row contents: callers pass identifiers, codes and reasons only.
 *
 * <p>Mutable while built, then handed to a logger; confined to the thread that logs it.
 */
public final class LogFields {

  private final Map<String, Object> fields = new LinkedHashMap<>();

  private LogFields() {}

  /** Starts a set of fields. */
  public static LogFields of(String key, Object value) {
    return new LogFields().and(key, value);
  }

  /** Adds a field; a null value is left out. */
  public LogFields and(String key, Object value) {
    if (value != null) {
      fields.put(key, value);
    }
    return this;
  }

  /** Logs {@code message} with these fields at {@code level}, if {@code logger} logs that level. */
  public void log(Logger logger, Level level, String message) {
    if (logger.isLoggable(level)) {
      LogRecord r = new LogRecord(level, message);
      r.setLoggerName(logger.getName());
      r.setParameters(new Object[] {this});
      logger.log(r);
    }
  }

  Map<String, Object> asMap() {
    return fields;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    fields.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return b.toString();
  }
}
