package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
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
 * the browser tests are ({@link NodeScript}).
 */
class NodeClientIT {

  private static final int DISCONNECTS = 1_000;
  private static final long TIMEOUT_SECONDS = 120;

  private TestServer server;
  private NodeScript node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void tableStaysExactThroughAThousandRandomDisconnectsWhilePublishing() throws Exception {
    NodeScript.requireNode();
    server = TestServer.start(SlipstreamConfig.defaults().toBuilder().eventLoops(2).build());
    node = NodeScript.start("test/live/disconnects.mjs", server.port(), DISCONNECTS, "live");
    int exit = node.awaitExit(Duration.ofSeconds(TIMEOUT_SECONDS));
    assertThat(exit).as("node's exit code:\n%s", node.output()).isZero();

    JsonObject summary = node.lastLine();
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
}
