package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.SwitchingProxy;
import io.slipstream.server.testing.TestCluster;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client package in Node through two node failovers of a real three-member cluster (issue 11:
 * "a live table stays exact through … node failovers"). The client reaches the cluster through a
 * {@link SwitchingProxy}, the test's load balancer, while {@code client/test/live/failover.mjs}
 * publishes on node C over HTTP:
 *
 * <ol>
 *   <li>on node A, until changes flow; then A's connections are reset and the balancer points at B
 *       (A itself stays up: a network failure between the balancer and A);
 *   <li>on node B, until changes flow again; then B is stopped (its server drains with 1012, its
 *       member leaves the cluster) and the balancer points at C;
 *   <li>on node C, until changes flow again; then the script stops publishing and checks.
 * </ol>
 *
 * <p>At the end the client's table equals {@code GET rows}, every change after its one snapshot was
 * applied once, in order (no snapshot after a failover: each reconnect resumed its session or
 * replayed from its position), which the script asserts and this test checks in its summary, with
 * the balancer's record that the client's connections went to A, then B, then C.
 *
 * <p>Runs in about 12 s. Needs {@code node} as {@link NodeClientIT} does ({@link NodeScript}).
 */
@Timeout(90)
class NodeFailoverIT {

  private static final String TOPIC = "failover";

  /** Live changes applied on a node's connection before the test moves on. */
  private static final int FLOWING = 40;

  private static final Duration STEP = Duration.ofSeconds(30);

  private TestCluster cluster;
  private SwitchingProxy proxy;
  private NodeScript node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void tableStaysExactWhileTheClientFailsOverFromNodeToNode() throws Exception {
    NodeScript.requireNode();
    cluster =
        TestCluster.start(
            3,
            SlipstreamConfig.defaults().toBuilder()
                .port(0)
                .host("127.0.0.1")
                .eventLoops(1)
                .build());
    int a = cluster.port(0);
    int b = cluster.port(1);
    int c = cluster.port(2);
    proxy = SwitchingProxy.to(a);
    node = NodeScript.start("test/live/failover.mjs", proxy.port(), c, TOPIC);

    JsonObject flowing = awaitFlowingAfter(0);
    assertThat(proxy.backends()).as("the first connection").containsOnly(a);

    // A network failure between the balancer and A: A's connections reset, traffic moved to B.
    proxy.retarget(b);
    assertThat(proxy.cutAll()).isEqualTo(1);
    flowing = awaitFlowingAfter(flowing.getInteger("welcomes"));
    assertThat(last(proxy.backends())).isEqualTo(b);

    // B is stopped: its server closes the client with 1012, then its member leaves.
    cluster.drain(1);
    proxy.retarget(c);
    cluster.stop(1);
    flowing = awaitFlowingAfter(flowing.getInteger("welcomes"));
    assertThat(last(proxy.backends())).isEqualTo(c);
    // And changes keep flowing once B's member is gone (the events above may predate that).
    node.send("mark");
    int marked = node.awaitEvent("mark", e -> true, STEP).getInteger("total");
    node.awaitEvent("applied", e -> e.getInteger("total") >= marked + FLOWING, STEP);

    node.send("stop");
    JsonObject summary = node.awaitEvent("summary", e -> true, STEP);
    assertThat(node.awaitExit(STEP)).as("node's exit code:\n%s", node.output()).isZero();

    assertThat(distinctInOrder(proxy.backends())).as("A, then B, then C").containsExactly(a, b, c);
    assertThat(summary.getJsonArray("disconnects").getList()).as("%s", summary).contains(1012);
    assertThat(summary.getJsonObject("stats").getInteger("resets")).as("%s", summary).isZero();
    assertThat(summary.getInteger("applied"))
        .isEqualTo(summary.getInteger("finalSeq") - summary.getInteger("snapshotSeq"));
    assertThat(summary.getInteger("published")).isEqualTo(summary.getInteger("finalSeq"));
    JsonObject rows = rows(c);
    assertThat(rows.getLong("seq")).isEqualTo(summary.getLong("finalSeq"));
    assertThat(rows.getJsonArray("rows").size()).isEqualTo(summary.getInteger("rows"));
  }

  /**
   * Waits until the client was welcomed again (more than {@code welcomes} times in all) and applied
   * {@link #FLOWING} live changes on that connection.
   */
  private JsonObject awaitFlowingAfter(int welcomes) throws InterruptedException {
    return node.awaitEvent(
        "applied",
        e -> e.getInteger("welcomes") > welcomes && e.getInteger("sinceWelcome") >= FLOWING,
        STEP);
  }

  private static int last(List<Integer> list) {
    return list.get(list.size() - 1);
  }

  private static List<Integer> distinctInOrder(List<Integer> list) {
    List<Integer> out = new ArrayList<>();
    for (int x : list) {
      if (out.isEmpty() || last(out) != x) {
        out.add(x);
      }
    }
    return out;
  }

  private static JsonObject rows(int port) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/topics/" + TOPIC + "/rows"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }
}
