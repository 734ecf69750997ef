package io.slipstream.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.loadtest.scenario.Scenario;
import io.slipstream.loadtest.scenario.Scenarios;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpListsEveryScenarioWithItsQuestion() {
    assertThat(run("--help")).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    for (Scenario s : Scenarios.all()) {
      assertThat(text).contains("  " + s.name() + " ");
    }
    assertThat(text).contains("--server-pid", "--transport", "Exit codes");
  }

  @Test
  void scenarioHelpShowsTopologyAndItsOwnDefaults() {
    assertThat(run("saturate", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Topology:", "--step-factor", "--max-p99-ms", "[100]", "--warmup SECONDS");
    out.reset();
    assertThat(run("slow", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--clients N", "[50]", "--slow K");
    out.reset();
    assertThat(run("soak", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--duration SECONDS", "[1800]", "--drop-mix C:R:V", "[2:1:1]", "--share RATIO")
        .contains("--saturation R|FILE", "--sample-every SECONDS", "--heap jcmd|metrics|none");
  }

  @Test
  void badCommandLinesExitWithTwoBeforeAnythingStarts() {
    assertThat(run("nosuch")).isEqualTo(Main.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown scenario 'nosuch'");
    assertThat(run("fanout", "--clients", "many")).isEqualTo(Main.EXIT_USAGE);
    assertThat(run("fanout", "--bogus")).isEqualTo(Main.EXIT_USAGE);
    assertThat(run("raw")).isEqualTo(Main.EXIT_USAGE);
    assertThat(run("raw", "--ws-url", "ftp://x", "--post-url", "http://127.0.0.1:1/p"))
        .isEqualTo(Main.EXIT_USAGE);
    assertThat(run("fanout", "--transport", "carrier-pigeon", "--url", "http://127.0.0.1:1"))
        .isEqualTo(Main.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--transport must be");
  }
}
