package io.slipstream.server.browser;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * One {@code node} process running a script of the client package ({@code client/test/live/}), for
 * the tests of the client in Node against a real server: it starts the process in {@code client/},
 * reads its output (stdout and stderr merged) line by line, lets the test wait for the JSON lines
 * the script prints as events ({@code {"event": …}}) and write commands to its stdin.
 *
 * <p>Thread-safe for one test thread: a daemon thread reads the output into a queue and a list; the
 * test thread takes from them. Bounded: the kept output is cut at {@link #MAX_LINES} lines, and
 * every wait has a timeout.
 */
final class NodeScript implements AutoCloseable {

  /** Most output lines kept for failure messages, and most waiting in the event queue. */
  private static final int MAX_LINES = 5_000;

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>(MAX_LINES);
  private final List<String> output = new ArrayList<>();
  private final Thread reader;

  private NodeScript(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = new Thread(this::read, "node-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code node script args…} in {@code client/}, after {@link #requireNode()}: a test
   * without node fails under CI and is skipped elsewhere.
   */
  static NodeScript start(String script, Object... args) throws IOException {
    requireNode();
    List<String> command = new ArrayList<>(List.of("node", script));
    for (Object a : args) {
      command.add(String.valueOf(a));
    }
    return new NodeScript(
        new ProcessBuilder(command)
            .directory(Path.of("client").toFile())
            .redirectErrorStream(true)
            .start());
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        synchronized (output) {
          if (output.size() < MAX_LINES) {
            output.add(line);
          }
        }
        lines.offer(line); // full only when the test reads no events: it needs none then
      }
    } catch (IOException ignored) {
      // The process was killed; what was read is in the failure messages.
    }
  }

  /**
   * The next event line of type {@code event} that {@code matches}, skipping every other line;
   * fails after {@code timeout} or when the script exits first.
   */
  JsonObject awaitEvent(String event, Predicate<JsonObject> matches, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError(
            "no "
                + event
                + " event within "
                + timeout
                + " (node alive: "
                + process.isAlive()
                + "):\n"
                + output());
      }
      JsonObject e = event(line);
      if (e != null && event.equals(e.getString("event")) && matches.test(e)) {
        return e;
      }
    }
  }

  private static JsonObject event(String line) {
    if (!line.startsWith("{")) {
      return null;
    }
    try {
      return new JsonObject(line);
    } catch (DecodeException notJson) {
      return null;
    }
  }

  /** Writes one line to the script's stdin. */
  void send(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  /**
   * Waits for the script to end and returns its exit code; fails if it runs past {@code timeout}.
   */
  int awaitExit(Duration timeout) throws InterruptedException {
    boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    reader.join(5_000);
    if (!exited) {
      throw new AssertionError("node did not end within " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  /** The last line the script printed, as JSON (its summary). */
  JsonObject lastLine() {
    synchronized (output) {
      return new JsonObject(output.get(output.size() - 1));
    }
  }

  /** Everything the script printed so far (up to {@link #MAX_LINES} lines). */
  String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /** Fails under CI when there is no node (or no installed devDependencies), skips elsewhere. */
  static void requireNode() {
    String missing = null;
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        missing = "node --version failed";
      }
    } catch (IOException | InterruptedException e) {
      missing = "no node on the path (" + e.getMessage() + ")";
    }
    if (missing == null && !Files.isDirectory(Path.of("client/node_modules/ws"))) {
      missing =
          "client/node_modules/ws is missing (the build's client-dependencies step installs it)";
    }
    if (missing == null) {
      return;
    }
    if (Chromium.isCi(System.getenv("CI"))) {
      throw new AssertionError(missing + ", and CI is set: the Node client test must run in CI");
    }
    Assumptions.abort(
        missing + ": Node client test skipped, as it may be only where CI is not set");
  }
}
