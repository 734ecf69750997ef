package io.slipstream.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.loadtest.Main;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.RunResult;
import io.slipstream.loadtest.testing.FakeSlipstream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenarios end to end against {@link FakeSlipstream}: the tool's own plumbing (transports,
 * accounting, resume, state comparison) with a server whose misbehaviour the test controls.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScenariosAgainstFakeIT {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @TempDir Path dir;
  private FakeSlipstream fake;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeSlipstream();
  }

  @AfterEach
  void stop() throws Exception {
    fake.close();
  }

  private RunResult run(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(
        List.of(
            "--url",
            fake.url(),
            "--out",
            dir.resolve("out").toString(),
            "--quiet",
            "--drain",
            "3"));
    return Main.execute(all.toArray(new String[0]), QUIET, QUIET).result();
  }

  private static long figure(RunResult r, String section, String name) {
    Object v = r.get(section, name);
    assertThat(v).as("%s / %s in %s", section, name, r.sections()).isNotNull();
    return ((Number) v).longValue();
  }

  @Test
  void fanoutOverSockJsAccountsForEveryChange() {
    RunResult r =
        run(
            "fanout",
            "--transport",
            "sockjs",
            "--clients",
            "5",
            "--rate",
            "300",
            "--duration",
            "1");
    assertThat(r.passed()).as("%s", r.checks()).isTrue();
    long published = figure(r, "run", "published (accepted)");
    assertThat(published).isGreaterThan(200);
    assertThat(figure(r, "run", "deliveries")).isEqualTo(5 * published);
    assertThat(figure(r, "latency, publish to receive (ms)", "count")).isEqualTo(5 * published);
  }

  @Test
  void fanoutOverSockJsRawTransport() {
    RunResult r =
        run(
            "fanout",
            "--transport",
            "sockjs-raw",
            "--clients",
            "3",
            "--rate",
            "100",
            "--duration",
            "1");
    assertThat(r.passed()).as("%s", r.checks()).isTrue();
  }

  @Test
  void aLostAndADoubledChangeAreCaughtByEveryClient() {
    fake.skip().add(5L);
    fake.duplicate().add(7L);
    RunResult r = run("fanout", "--clients", "4", "--rate", "200", "--duration", "1");
    assertThat(figure(r, "correctness", "gaps (lost, unexplained)")).isEqualTo(4);
    assertThat(figure(r, "correctness", "duplicates")).isEqualTo(4);
    assertThat(r.passed()).isFalse();
    assertThat(r.checks())
        .filteredOn(c -> !c.passed())
        .extracting(Check::name)
        .contains("no change lost (gaps)", "no change doubled (duplicates)");
  }

  @Test
  void aNamedDropIsNotALoss() {
    fake.drop().add(9L);
    RunResult r = run("fanout", "--clients", "3", "--rate", "200", "--duration", "1");
    assertThat(figure(r, "correctness", "dropped by server (named)")).isEqualTo(3);
    assertThat(figure(r, "correctness", "gaps (lost, unexplained)")).isZero();
    long published = figure(r, "run", "published (accepted)");
    assertThat(figure(r, "run", "deliveries")).isEqualTo(3 * (published - 1));
    assertThat(r.checks())
        .filteredOn(c -> c.name().startsWith("deliveries + named drops"))
        .allMatch(Check::passed);
  }

  @Test
  void resumeWithTokenLosesAndDoublesNothing() {
    RunResult r =
        run(
            "resume",
            "--clients",
            "6",
            "--rate",
            "200",
            "--duration",
            "2",
            "--disconnect-every-ms",
            "400",
            "--reconnect-delay-ms",
            "50");
    assertThat(r.passed()).as("%s", r.checks()).isTrue();
    assertThat(figure(r, "resume", "reconnects")).isPositive();
    assertThat(figure(r, "resume", "resumed (welcome resumed:true)")).isPositive();
    assertThat(figure(r, "resume", "changes lost")).isZero();
    assertThat(figure(r, "resume", "changes doubled")).isZero();
  }

  /**
   * A resume storm: every client leaves at once and comes back at once, twice; each one's time
   * from reconnecting to its first change is recorded, and nothing is lost or doubled.
   */
  @Test
  void aResumeStormBringsEveryClientBackToItsFirstChange() {
    RunResult r =
        run(
            "resume",
            "--clients",
            "6",
            "--rate",
            "200",
            "--duration",
            "2",
            "--storm-after-ms",
            "300",
            "--storm-away-ms",
            "300",
            "--storm-gap-ms",
            "500",
            "--storms",
            "2");
    assertThat(r.passed()).as("%s", r.checks()).isTrue();
    assertThat(figure(r, "storm", "storms")).isEqualTo(2);
    assertThat(figure(r, "resume", "reconnects")).isEqualTo(12);
    assertThat(figure(r, "resume", "resumed (welcome resumed:true)")).isEqualTo(12);
    assertThat(r.get("storm", "reconnect to first change p50 ms")).isInstanceOf(Double.class);
    assertThat((Double) r.get("storm", "reconnect to first change p50 ms")).isPositive();
    assertThat(figure(r, "resume", "changes lost")).isZero();
    assertThat(figure(r, "resume", "changes doubled")).isZero();
  }

  @Test
  void resumeCountsAChangeTheServerNeverSentAsLost() {
    // Seq 50 is never sent, neither live nor in a replay: every client must report it lost.
    fake.skip().add(50L);
    RunResult r =
        run(
            "resume",
            "--clients",
            "3",
            "--rate",
            "200",
            "--duration",
            "1",
            "--disconnect-every-ms",
            "300",
            "--reconnect-delay-ms",
            "30");
    assertThat(figure(r, "resume", "changes lost")).isGreaterThanOrEqualTo(3);
    assertThat(r.passed()).isFalse();
  }

  private static final String[] SOAK = {
    "soak",
    "--clients",
    "8",
    "--rate",
    "200",
    "--duration",
    "4",
    "--disconnect-every-ms",
    "500",
    "--reconnect-delay-ms",
    "50",
    "--fresh-share",
    "0.3",
    "--sample-every",
    "1",
    "--heap",
    "metrics"
  };

  @Test
  void soakChurnsEveryWayAndAccountsForEveryChange() {
    RunResult r = run(SOAK);
    assertThat(r.passed()).as("%s %s", r.checks(), r.notes()).isTrue();
    assertThat(figure(r, "churn", "drops: clean close")).isPositive();
    assertThat(figure(r, "churn", "drops: TCP reset")).isPositive();
    assertThat(figure(r, "churn", "drops: socket given up while open")).isPositive();
    assertThat(figure(r, "churn", "drops followed by a fresh start")).isPositive();
    // The fake, like the server, closes a resumed session's old socket with 1000.
    assertThat(figure(r, "churn", "given-up sockets then closed 1000")).isPositive();
    assertThat(figure(r, "clients", "changes lost (gaps + missing at the end)")).isZero();
    assertThat(figure(r, "clients", "changes doubled")).isZero();
    assertThat(r.resources().stream().filter(s -> s.steady()).count()).isGreaterThanOrEqualTo(2);
    assertThat(r.resources())
        .filteredOn(s -> s.steady())
        .allSatisfy(
            s -> {
              assertThat(s.sessions()).isPositive();
              assertThat(s.serverConnections()).isPositive();
              assertThat(s.heapAfterGcMb()).isPositive(); // the fake's /metrics
            });
    assertThat((String) r.get("server resources over time", "heap source"))
        .startsWith("/metrics jvm_gc_live_data_size_bytes");
  }

  @Test
  void soakExitsNonZeroWhenAChangeIsLost() {
    fake.skip().add(100L);
    List<String> args = new ArrayList<>(Arrays.asList(SOAK));
    args.addAll(
        List.of("--url", fake.url(), "--out", dir.resolve("lost").toString(), "--quiet"));
    args.addAll(List.of("--drain", "3"));
    assertThat(Main.run(args.toArray(new String[0]), QUIET, QUIET)).isEqualTo(Main.EXIT_FAILED);
  }

  @Test
  void snapshotClientsEndWithTheServersState() {
    RunResult r =
        run(
            "snapshot",
            "--clients",
            "8",
            "--rows",
            "300",
            "--rate",
            "300",
            "--duration",
            "2",
            "--subscribe-after",
            "0.5",
            "--size",
            "64");
    assertThat(r.passed()).as("%s", r.checks()).isTrue();
    assertThat(figure(r, "snapshot", "clients consistent with the server")).isEqualTo(8);
    assertThat(figure(r, "snapshot", "snapshot rows received")).isGreaterThanOrEqualTo(8L * 250);
  }

  @Test
  void snapshotCatchesAClientThatMissedAnUpdate() {
    // Seqs 1..300 preload the rows; then about 300 updates, round-robin over the keys, so the
    // key of seq 580 is not written again and the clients keep its old version.
    fake.skip().add(580L);
    RunResult r =
        run(
            "snapshot",
            "--clients",
            "3",
            "--rows",
            "300",
            "--rate",
            "300",
            "--duration",
            "1",
            "--subscribe-after",
            "0.2",
            "--size",
            "64",
            "--delete-ratio",
            "0");
    assertThat(figure(r, "snapshot", "clients consistent with the server"))
        .as(io.slipstream.loadtest.report.TextReport.render(r))
        .isLessThan(3);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void rawCountsEveryMessageOfAPlainBroadcastServer() {
    RunResult r =
        run(
            "raw",
            "--ws-url",
            "ws://127.0.0.1:" + fake.port() + "/raw",
            "--post-url",
            fake.url() + "/raw-post",
            "--clients",
            "4",
            "--rate",
            "200",
            "--duration",
            "1",
            "--settle-ms",
            "200");
    assertThat(r.passed()).as("%s", r.checks()).isTrue();
    long published = figure(r, "run", "published (accepted)");
    assertThat(figure(r, "run", "deliveries (distinct)")).isEqualTo(4 * published);
    assertThat(figure(r, "latency, publish to receive (ms)", "count")).isEqualTo(4 * published);
  }

  @Test
  void slowClientsAreSeparatedFromFastOnes() {
    RunResult r = run("slow", "--clients", "3", "--slow", "2", "--rate", "200", "--duration", "1");
    // The fake has no buffers or 4001: slow clients simply read everything afterwards.
    assertThat(figure(r, "fast clients", "deliveries"))
        .isEqualTo(3 * figure(r, "run", "published (accepted)"));
    assertThat(figure(r, "fast clients", "dropped by server")).isZero();
    assertThat(figure(r, "correctness", "gaps (lost, unexplained)")).isZero();
  }

  @Test
  void idleHoldsConnections() {
    RunResult r = run("idle", "--clients", "20", "--hold", "1");
    assertThat(r.passed()).as("%s", r.checks()).isTrue();
    assertThat(figure(r, "run", "live after holding")).isEqualTo(20);
  }
}
