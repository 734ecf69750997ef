package io.slipstream.server.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Formats a log record as one JSON object on one line: {@code {"ts", "level", "logger", "thread",
 * "message", <fields>..., "error"?: {"type", "message", "stack"}}}, the fields those of a {@link
 * LogFields} parameter.
 *
 * <p>Thread-safe (stateless). Hand-written JSON: a log line must not depend on the data-binding of
 * the code it reports on, and the escaping is the whole of the work.
 */
public final class JsonLogFormatter extends Formatter {

  @Override
  public String format(LogRecord r) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"ts\":\"").append(Instant.ofEpochMilli(r.getMillis())).append('"');
    field(b, "level", r.getLevel().getName());
    field(b, "logger", r.getLoggerName());
    field(b, "thread", Thread.currentThread().getName());
    LogFields fields = fields(r);
    field(b, "message", fields != null ? r.getMessage() : formatMessage(r));
    if (fields != null) {
      for (Map.Entry<String, Object> e : fields.asMap().entrySet()) {
        Object v = e.getValue();
        if (v instanceof Number || v instanceof Boolean) {
          b.append(",\"");
          escape(b, e.getKey());
          b.append("\":").append(v);
        } else {
          field(b, e.getKey(), String.valueOf(v));
        }
      }
    }
    Throwable t = r.getThrown();
    if (t != null) {
      b.append(",\"error\":{\"type\":\"");
      escape(b, t.getClass().getName());
      b.append('"');
      field(b, "message", String.valueOf(t.getMessage()));
      StringWriter stack = new StringWriter();
      t.printStackTrace(new PrintWriter(stack));
      field(b, "stack", stack.toString());
      b.append('}');
    }
    return b.append("}\n").toString();
  }

  /** The structured fields of {@code r}, or null for a plain record. */
  static LogFields fields(LogRecord r) {
    Object[] p = r.getParameters();
    return p != null && p.length == 1 && p[0] instanceof LogFields f ? f : null;
  }

  private static void field(StringBuilder b, String key, String value) {
    b.append(",\"");
    escape(b, key);
    b.append("\":");
    if (value == null) {
      b.append("null");
      return;
    }
    b.append('"');
    escape(b, value);
    b.append('"');
  }

  private static void escape(StringBuilder b, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
  }
}
