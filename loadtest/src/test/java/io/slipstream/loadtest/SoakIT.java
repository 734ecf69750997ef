package io.slipstream.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.loadtest.report.ResourceSample;
import io.slipstream.loadtest.report.RunResult;
import io.slipstream.loadtest.testing.ServerJar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short {@code soak} against the real server jar (a child process stopped by its PID): a minute
 * of churn with every kind of drop (clean close, TCP reset, socket given up while open) and fresh
 * starts, under steady publishing, with the server's resources read every 5 s. No client may lose
 * or double a change, and the report must carry the time series. Skipped when the jar has not been
 * built.
 */
class SoakIT {

  private static final int CLIENTS = 30;

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void aMinuteOfChurnLosesAndDoublesNothingAndReportsTheServerOverTime(@TempDir Path dir)
      throws Exception {
    ServerJar.requireBuilt();
    try (ServerJar server = ServerJar.start(dir.resolve("server.log"))) {
      ByteArrayOutputStream progress = new ByteArrayOutputStream();
      PrintStream err = new PrintStream(progress, true, StandardCharsets.UTF_8);
      Main.Outcome outcome =
          Main.execute(
              new String[] {
                "soak",
                "--url",
                server.url(),
                "--server-pid",
                Long.toString(server.pid()),
                "--clients",
                Integer.toString(CLIENTS),
                "--rate",
                "100",
                "--duration",
                "60",
                "--disconnect-every-ms",
                "3000",
                "--reconnect-delay-ms",
                "200",
                "--drop-mix",
                "2:1:1",
                "--fresh-share",
                "0.2",
                "--sample-every",
                "5",
                "--loops",
                "2",
                "--out",
                dir.resolve("result").toString()
              },
              System.out, // the table, in the test's output file
              err);
      RunResult r = outcome.result();
      String log = progress.toString(StandardCharsets.UTF_8);
      System.out.println(log);
      assertThat(r.passed())
          .as("checks: %s%nnotes: %s%nserver log: %s", r.checks(), r.notes(), server.log())
          .isTrue();

      // Every client: nothing lost, nothing doubled, at the last seq.
      assertThat(r.get("clients", "changes lost (gaps + missing at the end)")).isEqualTo(0L);
      assertThat(r.get("clients", "changes doubled")).isEqualTo(0L);
      assertThat(r.get("clients", "clients at the last seq")).isEqualTo(CLIENTS);
      List<Map<String, Object>> everyClient = r.tables().get("every client");
      assertThat(everyClient).hasSize(CLIENTS);
      assertThat(everyClient)
          .allSatisfy(c -> assertThat(c).containsEntry("lost", 0L).containsEntry("doubled", 0L));

      // The churn did what it says: every kind of drop, fresh starts, resumed sessions.
      assertThat((Long) r.get("churn", "drops: clean close")).isPositive();
      assertThat((Long) r.get("churn", "drops: TCP reset")).isPositive();
      assertThat((Long) r.get("churn", "drops: socket given up while open")).isPositive();
      assertThat((Long) r.get("churn", "drops followed by a fresh start")).isPositive();
      assertThat((Long) r.get("churn", "resumed (welcome resumed:true)")).isPositive();
      assertThat((Long) r.get("churn", "given-up sockets then closed 1000")).isPositive();
      assertThat((Long) r.get("connections", "closed 1006")).isPositive(); // the resets

      // The time series: heap after GC (jcmd), fds, threads, sessions, connections.
      // One reading every 5 s of 60 makes about 11, but on a loaded machine jcmd alone can take
      // several seconds, and the schedule then slips rather than bunching readings up. A reading
      // the server did not answer in time is a gap, not a failure: most must be there.
      List<ResourceSample> steady =
          r.resources().stream().filter(ResourceSample::steady).toList();
      assertThat(steady).hasSizeGreaterThanOrEqualTo(4);
      int most = steady.size() * 3 / 4;
      assertThat(steady).filteredOn(s -> s.heapAfterGcMb() > 0).hasSizeGreaterThanOrEqualTo(most);
      assertThat(steady).filteredOn(s -> s.rssMb() > 0).hasSizeGreaterThanOrEqualTo(most);
      assertThat(steady).filteredOn(s -> s.fds() > 0).hasSizeGreaterThanOrEqualTo(most);
      assertThat(steady).filteredOn(s -> s.threads() > 0).hasSizeGreaterThanOrEqualTo(most);
      assertThat(steady).filteredOn(s -> s.sessions() > 0).hasSizeGreaterThanOrEqualTo(most);
      assertThat(steady)
          .filteredOn(s -> s.serverConnections() > 0)
          .hasSizeGreaterThanOrEqualTo(most);
      assertThat(steady)
          .filteredOn(s -> s.listedConnections() > 0)
          .hasSizeGreaterThanOrEqualTo(most);
      assertThat((String) r.get("server resources over time", "heap source")).startsWith("jcmd");
      assertThat(r.get("server resources over time", "heap after GC slope MiB/min (all readings)"))
          .isInstanceOf(Double.class);
      assertThat(r.get("server resources over time", "connections held after the clients closed"))
          .isEqualTo(0L);
      assertThat(log).contains("resources: heapAfterGC=", " fds=", " threads=", " sessions=");

      JsonObject json =
          new JsonObject(Files.readString(dir.resolve("result").resolve("result.json")));
      JsonArray resources = json.getJsonArray("resources");
      assertThat(resources.size()).isEqualTo(r.resources().size());
      for (String field :
          List.of(
              "t",
              "heapAfterGcMiB",
              "serverFds",
              "serverThreads",
              "serverSessions",
              "serverConnections")) {
        long present =
            resources.stream()
                .filter(o -> ((JsonObject) o).getBoolean("steady"))
                .filter(o -> ((JsonObject) o).getValue(field) != null)
                .count();
        assertThat(present).as(field).isGreaterThanOrEqualTo(most);
      }
      assertThat(json.getJsonObject("tables").getJsonArray("every client").size())
          .isEqualTo(CLIENTS);
      assertThat(Files.readString(dir.resolve("result").resolve("report.html")))
          .contains(
              "Server heap after a full GC",
              "Server file descriptors and threads",
              "Sessions and connections",
              "every client");
    }
  }
}
