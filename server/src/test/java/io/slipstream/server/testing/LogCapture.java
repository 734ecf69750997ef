package io.slipstream.server.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what the JVM logs through java.util.logging at {@code WARNING} or above, or with an
 * exception attached: where Vert.x ("Unhandled exception"), Netty ("exceptionCaught() … reached
 * the tail of the pipeline") and the server log an exception that escaped a handler. Vert.x and
 * Netty log through JUL here because the test class path has no SLF4J provider.
 *
 * <p>Thread-safe. Bounded: the first {@link #KEPT} records are kept, the rest only counted.
 */
public final class LogCapture implements AutoCloseable {

  /** Records kept in full. */
  public static final int KEPT = 100;

  private final Logger root = Logger.getLogger("");
  private final java.util.Set<String> ignored;
  private final List<String> kept = new ArrayList<>();
  private final AtomicInteger count = new AtomicInteger();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() < Level.WARNING.intValue() && r.getThrown() == null) {
            return;
          }
          if (ignored.contains(r.getLoggerName())) {
            return;
          }
          count.incrementAndGet();
          synchronized (kept) {
            if (kept.size() < KEPT) {
              kept.add(describe(r));
            }
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture(java.util.Set<String> ignored) {
    this.ignored = ignored;
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
  }

  /**
   * Starts recording, except what the loggers named {@code ignoredLoggers} log; {@link #close()}
   * stops.
   */
  public static LogCapture start(String... ignoredLoggers) {
    return new LogCapture(java.util.Set.of(ignoredLoggers));
  }

  /** How many records were captured. */
  public int count() {
    return count.get();
  }

  /** The first {@link #KEPT} records: logger, level, message and stack trace. */
  public List<String> records() {
    synchronized (kept) {
      return new ArrayList<>(kept);
    }
  }

  private static String describe(LogRecord r) {
    StringBuilder sb =
        new StringBuilder()
            .append(r.getLevel())
            .append(' ')
            .append(r.getLoggerName())
            .append(": ")
            .append(r.getMessage());
    if (r.getThrown() != null) {
      StringWriter w = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(w));
      sb.append('\n').append(w);
    }
    return sb.toString();
  }

  @Override
  public void close() {
    root.removeHandler(handler);
  }
}
