package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The client package in Node (with {@code ws}) against this server: {@code
 * client/test/live/disconnects.mjs} cuts the client's connection 1,000 times at random moments (TCP
 * reset, FIN, from either side, before and after the welcome) through its own proxy while it
 * publishes over HTTP, then checks that the client's table equals {@code GET /api/topics/{t}/rows}
 * and the published history, and that every change was applied exactly once, in order. The script
 * asserts; this test starts the server, runs {@code node}, and checks the script's summary.
 *
 * <p>Needs {@code node} on the path and the package's devDependencies (installed by the build's
 * {@code client-dependencies} step): without node it fails under CI and is skipped elsewhere, as
 * the browser tests are.
 */
class NodeClientIT {

  private static final int DISCONNECTS = 1_000;
  private static final long TIMEOUT_SECONDS = 120;

  private TestServer server;
  private Process node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.destroyForcibly();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void tableStaysExactThroughAThousandRandomDisconnectsWhilePublishing() throws Exception {
    requireNode();
    server = TestServer.start(SlipstreamConfig.defaults().toBuilder().eventLoops(2).build());
    ProcessBuilder pb =
        new ProcessBuilder(
                "node",
                "test/live/disconnects.mjs",
                String.valueOf(server.port()),
                String.valueOf(DISCONNECTS),
                "live")
            .directory(Path.of("client").toFile())
            .redirectErrorStream(true);
    node = pb.start();
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  output.add(line);
                }
              } catch (IOException ignored) {
                // The process was killed; what was read is in the failure message.
              }
            },
            "node-output");
    reader.start();
    boolean exited = node.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    reader.join(5_000);
    String all = String.join("\n", output);
    assertThat(exited).as("node ended within %d s:\n%s", TIMEOUT_SECONDS, all).isTrue();
    assertThat(node.exitValue()).as("node's exit code:\n%s", all).isZero();

    JsonObject summary = new JsonObject(output.get(output.size() - 1));
    assertThat(summary.getInteger("cuts")).isGreaterThanOrEqualTo(DISCONNECTS);
    // Every change after the first snapshot came as a change, none twice (the script checked
    // which); the rows equal GET rows.
    assertThat(summary.getInteger("applied"))
        .isEqualTo(summary.getInteger("finalSeq") - summary.getInteger("snapshotSeq"));
    assertThat(summary.getInteger("published")).isEqualTo(summary.getInteger("finalSeq"));
    assertThat(summary.getJsonObject("stats").getInteger("resets")).isZero();
    JsonObject rows = server.rows("live");
    assertThat(rows.getLong("seq")).isEqualTo(summary.getLong("finalSeq"));
    assertThat(rows.getJsonArray("rows").size()).isEqualTo(summary.getInteger("rows"));
  }

  /** Fails under CI when there is no node (or no installed devDependencies), skips elsewhere. */
  private static void requireNode() {
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
