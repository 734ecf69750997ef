package io.slipstream.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.loadtest.report.RunResult;
import io.slipstream.loadtest.testing.ServerJar;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void fanoutDeliversEveryChangeToEverySubscriberExactlyOnce(@TempDir Path dir) throws Exception {
    ServerJar.requireBuilt();
    try (ServerJar server = ServerJar.start(dir.resolve("server.log"))) {
      PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
      Main.Outcome outcome =
          Main.execute(
              new String[] {
                "fanout",
                "--url",
                server.url(),
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
    }
  }
}
