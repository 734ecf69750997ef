package io.slipstream.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.server.connection.Connection;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Structured logs (issue 10): one JSON object per line, with the connection id, session, remote
 * address, close code and reason of every close, whoever closed it, and never row contents; the
 * level per logger set at start.
 */
class StructuredLogsIT {

  private static final String SECRET = "ROW-SECRET-4711";

  @Test
  void everyCloseIsOneJsonLineWithItsIdsCodeAndReasonAndNoRowContents() throws Exception {
    Logger connectionLog = Logger.getLogger(Connection.class.getName());
    List<String> lines = new CopyOnWriteArrayList<>();
    JsonLogFormatter json = new JsonLogFormatter();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            lines.add(json.format(r));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    connectionLog.addHandler(capture);
    try (TestServer server = TestServer.start()) {
      RecordingLifecycle lifecycle = RecordingLifecycle.on(server);
      server.publish(
          "logged",
          new JsonObject()
              .put("op", "UPDATE")
              .put("key", "k")
              .put("row", new JsonObject().put("card", SECRET)));
      RecordingClient byClient = server.client();
      String clientSession = byClient.hello().getString("session");
      byClient.subscribe("logged");
      byClient.close();
      RecordingClient byServer = server.client();
      String serverSession = byServer.hello().getString("session");
      byServer.subscribe("logged");
      byServer.send("x".repeat(70_000)); // over maxFrameBytes: the server closes 1009
      assertThat(byServer.awaitClose(Duration.ofSeconds(20))).isEqualTo(1009);

      // A connection logs its close before it publishes its disconnected event.
      lifecycle.await("disconnected", clientSession);
      lifecycle.await("disconnected", serverSession);
      assertThat(lines).hasSize(2);
      for (String line : lines) {
        assertThat(line).endsWith("}\n").doesNotContain(SECRET);
        assertThat(line.indexOf('\n')).as("one line").isEqualTo(line.length() - 1);
      }
      JsonObject client = find(lines, clientSession);
      assertThat(client.getString("message")).isEqualTo("connection closed");
      assertThat(client.getString("level")).isEqualTo("INFO");
      assertThat(client.getString("connection")).startsWith("c");
      assertThat(client.getString("remote")).startsWith("127.0.0.1:");
      assertThat(client.getString("closedBy")).isEqualTo("client");
      assertThat(client.getInteger("code")).isEqualTo(1000);
      assertThat(client.getString("transport")).isEqualTo("websocket");
      JsonObject server1009 = find(lines, serverSession);
      assertThat(server1009.getString("closedBy")).isEqualTo("server");
      assertThat(server1009.getInteger("code")).isEqualTo(1009);
      assertThat(server1009.getString("reason")).isNotBlank();
      assertThat(server1009.getString("ts")).endsWith("Z");
    } finally {
      connectionLog.removeHandler(capture);
    }
  }

  private static JsonObject find(List<String> lines, String session) {
    for (String line : lines) {
      JsonObject o = new JsonObject(line);
      if (session.equals(o.getString("session"))) {
        return o;
      }
    }
    throw new AssertionError("no close logged for session " + session + ": " + lines);
  }

  @Test
  void theJsonFormatEscapesAndCarriesTheError() {
    LogRecord r = new LogRecord(Level.WARNING, "quote \" backslash \\ newline \n tab \t end");
    r.setLoggerName("io.slipstream.x");
    r.setThrown(new IllegalStateException("boom"));
    String line = new JsonLogFormatter().format(r);
    assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
    JsonObject o = new JsonObject(line);
    assertThat(o.getString("message")).isEqualTo("quote \" backslash \\ newline \n tab \t end");
    assertThat(o.getString("level")).isEqualTo("WARNING");
    assertThat(o.getJsonObject("error").getString("type"))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(o.getJsonObject("error").getString("stack")).contains("StructuredLogsIT");
  }

  @Test
  void levelsPerPackageAreSetAtStartAndBadOnesNamed() {
    Logger root = LogManager.getLogManager().getLogger("");
    Handler[] before = root.getHandlers();
    try {
      Logging.configure(
          "auto", "io.slipstream.logtest=WARN,io.slipstream.logtest.deep=DEBUG", false);
      assertThat(Logger.getLogger("io.slipstream.logtest").getLevel()).isEqualTo(Level.WARNING);
      assertThat(Logger.getLogger("io.slipstream.logtest.deep").getLevel()).isEqualTo(Level.FINE);
      assertThat(Logger.getLogger("io.slipstream.logtest.other").isLoggable(Level.INFO)).isFalse();
      // The baseline: micrometer's once-per-node duplicate-gauge warning is not printed.
      assertThat(Logger.getLogger("io.micrometer.core.instrument.MeterRegistry").getLevel())
          .isEqualTo(Level.SEVERE);
      Logging.configure("auto", "io.micrometer.core.instrument.MeterRegistry=INFO", false);
      assertThat(Logger.getLogger("io.micrometer.core.instrument.MeterRegistry").getLevel())
          .as("log.levels overrides the baseline")
          .isEqualTo(Level.INFO);
      assertThat(root.getHandlers()).hasSize(1);
      assertThat(root.getHandlers()[0].getFormatter())
          .as("not a terminal: JSON")
          .isInstanceOf(JsonLogFormatter.class);
      Logging.configure("auto", "", true);
      assertThat(root.getHandlers()[0].getFormatter()).isInstanceOf(Logging.TextFormatter.class);
    } finally {
      for (Handler h : root.getHandlers()) {
        root.removeHandler(h);
      }
      for (Handler h : before) {
        root.addHandler(h);
      }
      if (before.length == 0) {
        root.addHandler(new ConsoleHandler());
      }
    }
    assertThatThrownBy(() -> Logging.parseLevels("io.netty")).hasMessageStartingWith("log.levels ");
    assertThatThrownBy(() -> Logging.parseLevels("io.netty=LOUD"))
        .hasMessageStartingWith("log.levels ");
  }
}
