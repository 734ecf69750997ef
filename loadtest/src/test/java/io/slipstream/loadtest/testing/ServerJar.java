package io.slipstream.loadtest.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real server jar as a child process on a free port of 127.0.0.1, its output in a log file,
 * stopped by its PID on {@link #close()}. The end-to-end tests run the tool against it.
 *
 * <p>Not thread-safe: one test owns it.
 */
public final class ServerJar implements AutoCloseable {

  /** The server jar; {@code -Dslipstream.server.jar=PATH} tries another build. */
  public static final Path JAR =
      Path.of(System.getProperty("slipstream.server.jar", "../server/target/slipstream.jar"));

  private final Process process;
  private final int port;
  private final Path log;

  private ServerJar(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Whether the jar has been built (the module also builds alone, without it). */
  public static boolean built() {
    return Files.isRegularFile(JAR);
  }

  /**
   * Lets an end-to-end test run only against a built jar: without it the test fails when the
   * environment variable {@code CI} is set (to anything but empty or {@code false}: under {@code
   * mvn verify} the reactor packages the server first, so a missing jar is a broken build), and is
   * skipped elsewhere (the module built alone, e.g. {@code mvn -pl loadtest test}).
   */
  public static void requireBuilt() {
    if (built()) {
      return;
    }
    String ci = System.getenv("CI");
    String missing = "no " + JAR + ": build the server first";
    if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
      throw new AssertionError(missing + " (CI=" + ci + ": end-to-end tests must run in CI)");
    }
    Assumptions.abort(missing + "; skipped because CI is not set");
  }

  /**
   * Starts the jar with {@code -Xmx256m} and waits up to 20 s for {@code GET /health} to answer
   * 200; the output goes to {@code log}.
   *
   * @throws IllegalStateException when it is not healthy in time (the process is stopped)
   */
  public static ServerJar start(Path log, String... extraArgs) throws IOException {
    int port = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-jar", JAR.toString()));
    cmd.addAll(List.of("--port", Integer.toString(port), "--host", "127.0.0.1"));
    cmd.addAll(List.of(extraArgs));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServerJar s = new ServerJar(p, port, log);
    if (!s.awaitHealthy(Duration.ofSeconds(20))) {
      s.close();
      throw new IllegalStateException("the server was not healthy within 20 s; log: " + log);
    }
    return s;
  }

  /** The HTTP base URL. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The process id, for {@code --server-pid}. */
  public long pid() {
    return process.pid();
  }

  /** Where its output goes. */
  public Path log() {
    return log;
  }

  /** Stops the process by its PID: SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private boolean awaitHealthy(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url() + "/health"))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not up yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      sleep();
    }
    return false;
  }

  /** Polling: the child process offers no event to wait for but its answer. */
  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
