package io.slipstream.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.slipstream.loadtest.report.RunResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end: the tool against the real server jar, started as a child process. Skipped when the
 * jar has not been built (the module builds alone); in {@code mvn verify} the reactor builds the
 * server first.
 */
class LoadtestSmokeIT {

  /** The server jar; {@code -Dslipstream.server.jar=PATH} tries another build. */
  private static final Path SERVER_JAR =
      Path.of(System.getProperty("slipstream.server.jar", "../server/target/slipstream.jar"));

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void fanoutDeliversEveryChangeToEverySubscriberExactlyOnce(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(SERVER_JAR), "no " + SERVER_JAR + ": build the server first");
    int port = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process server =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-jar",
                SERVER_JAR.toString(),
                "--port",
                Integer.toString(port),
                "--host",
                "127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    try {
      assertThat(awaitHealthy(port, Duration.ofSeconds(20)))
          .as("server healthy; log: %s", dir.resolve("server.log"))
          .isTrue();
      PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
      Main.Outcome outcome =
          Main.execute(
              new String[] {
                "fanout",
                "--url",
                "http://127.0.0.1:" + port,
                "--clients",
                "20",
                "--rate",
                "200",
                "--duration",
                "3",
                "--drain",
                "10",
                "--server-pid",
                Long.toString(server.pid()),
                "--out",
                dir.resolve("result").toString(),
                "--quiet"
              },
              quiet,
              quiet);
      RunResult r = outcome.result();
      assertThat(r.passed()).as("checks: %s", r.checks()).isTrue();
      long published = (Long) r.get("run", "published (accepted)");
      assertThat(published).isGreaterThan(400);
      assertThat(r.get("correctness", "gaps (lost, unexplained)")).isEqualTo(0L);
      assertThat(r.get("correctness", "duplicates")).isEqualTo(0L);
      assertThat(r.get("correctness", "other protocol violations")).isEqualTo(0L);
      assertThat(r.get("run", "deliveries")).isEqualTo(20 * published);
      assertThat(r.get("cost", "server CPU s per 1M deliveries")).isNotNull();
      assertThat(dir.resolve("result").resolve("result.json")).isNotEmptyFile();
      assertThat(Files.readString(dir.resolve("result").resolve("report.html")))
          .contains("<svg", "delivered/s");
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean awaitHealthy(int port, Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(100);
    }
    return false;
  }
}
