package io.slipstream.server.qos;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.JwtTokens;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * QoS classes at the wire (docs/protocol.md §5): a node configured with a small, quickly-cut
 * {@code realtime} class, a large {@code bulk} class that clients cannot ask for, and a throttled
 * {@code thin} class gives each connection its class's buffer, thresholds and rate; {@code welcome}
 * says which; an operator moves a live connection and its session keeps the class.
 */
class QosClassesIT {

  private static final String TOPIC = "rows";
  private static final String PADDING = "x".repeat(4000);

  /** What an operator writes in the configuration file, as the file's JSON. */
  private static final JsonObject CLASSES =
      new JsonObject(
          "{\"realtime\": {\"max\": 50, \"warn\": 0.5, \"disconnect\": 0.9, \"sustainMs\": 300},"
              + " \"bulk\": {\"max\": 100000, \"maxBytes\": 268435456, \"askable\": false},"
              + " \"thin\": {\"max\": 20, \"rate\": 100}}");

  private TestServer server;
  private Vertx clients;

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .sustainMs(30_000)
                .qosClasses(CLASSES)
                .build());
    clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  @AfterEach
  void stop() {
    clients.close().await();
    server.close();
  }

  private RecordingClient connect() {
    return RecordingClient.connect(clients, server.port());
  }

  private static JsonObject hello(RecordingClient c, String clientId, Object qos) {
    JsonObject hello = new JsonObject().put("type", "hello").put("clientId", clientId);
    if (qos != null) {
      hello.put("qos", qos);
    }
    c.send(hello);
    return c.expect("welcome");
  }

  @Test
  void welcomeNamesTheClassChosenByTheHelloAndItsBuffer() {
    JsonObject none = hello(connect(), "a", null);
    assertThat(none.getString("qos")).isEqualTo("standard");
    assertThat(none.getJsonObject("buffer").getInteger("max"))
        .isEqualTo(SlipstreamConfig.defaults().buffer().maxEvents());

    JsonObject realtime = hello(connect(), "b", "realtime");
    assertThat(realtime.getString("qos")).isEqualTo("realtime");
    assertThat(realtime.getJsonObject("buffer"))
        .isEqualTo(
            new JsonObject()
                .put("max", 50)
                .put("maxBytes", SlipstreamConfig.defaults().buffer().maxBytes())
                .put("warn", 0.5)
                .put("disconnect", 0.9)
                .put("policy", "drop-oldest"));

    assertThat(hello(connect(), "c", "bulk").getString("qos"))
        .as("bulk may not be asked for")
        .isEqualTo("standard");
    assertThat(hello(connect(), "d", "no-such-class").getString("qos"))
        .as("an unknown name is not an error")
        .isEqualTo("standard");

    RecordingClient bad = connect();
    bad.send(new JsonObject().put("type", "hello").put("qos", 7));
    assertThat(bad.assertError("bad-message").getString("message")).contains("qos");

    assertThat(server.connections())
        .extracting(o -> ((JsonObject) o).getString("clientId") + "=" + ((JsonObject) o).getString("qos"))
        .contains("a=standard", "b=realtime", "c=standard", "d=standard");
  }

  /**
   * The "done when": on one node, from configuration alone, a trading screen in {@code
   * realtime} and a reporting client moved to {@code bulk} stop reading through the same flood;
   * the small class is cut off after its short {@code sustainMs}, the bulk one keeps everything
   * and, reading again, gets every change in order.
   */
  @Test
  void aStalledRealtimeClientIsCutWhileAStalledBulkClientKeepsEverything() {
    RecordingClient screen = connect();
    hello(screen, "screen", "realtime");
    screen.subscribe(TOPIC);
    screen.expect("snapshot");
    screen.expect("snapshot");

    RecordingClient report = connect();
    hello(report, "report", null);
    HttpResponse<String> moved =
        server.request(
            "PUT", "/api/connections/" + idOf("report") + "/qos", "{\"class\": \"bulk\"}");
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    assertThat(new JsonObject(moved.body()).getString("qos")).isEqualTo("bulk");
    report.subscribe(TOPIC);
    report.expect("snapshot");
    report.expect("snapshot");

    screen.pause();
    report.pause();
    long last = 0;
    // 12 MB: past what the sockets and kernel hold, so both buffers really fill.
    for (int batch = 0; batch < 60; batch++) {
      last = server.publish(TOPIC, changes(50)).getLong("lastSeq");
    }
    awaitGone("screen");
    screen.resume(); // to read up to the close frame
    assertThat(screen.awaitClose(Duration.ofSeconds(20)))
        .as("realtime: at disconnect for 300 ms")
        .isEqualTo(4001);
    for (int batch = 0; batch < 10; batch++) {
      last = server.publish(TOPIC, changes(50)).getLong("lastSeq");
    }
    JsonObject reportStats = statsOf("report");
    assertThat(reportStats.getString("qos")).isEqualTo("bulk");
    assertThat(reportStats.getLong("dropped")).isZero();
    assertThat(reportStats.getInteger("pending")).as("its buffer holds the flood").isGreaterThan(50);

    report.resume();
    for (long seq = 1; seq <= last; seq++) {
      report.assertChange(TOPIC, seq);
    }
    assertThat(report.isClosed()).isFalse();
  }

  @Test
  void aThrottledClassSendsAtItsRateAndItsBufferMeetsThePolicyNotAnUnboundedQueue() {
    RecordingClient thin = connect();
    hello(thin, "thin", "thin");
    thin.subscribe(TOPIC);
    thin.expect("snapshot");
    thin.expect("snapshot");

    // 200 changes at once into a 20-event buffer drained at 100/s (bursts of 10): drops.
    long t0 = System.nanoTime();
    long last = server.publish(TOPIC, changes(200)).getLong("lastSeq");
    long seen = 0;
    long dropped = 0;
    int changes = 0;
    while (seen < last) {
      JsonObject m = thin.next();
      if (m.getString("type").equals("warning")) {
        continue; // the throttled buffer fills past warn: that is the point
      }
      if (m.getString("type").equals("dropped")) {
        assertThat(m.getLong("from")).isEqualTo(seen + 1);
        dropped += m.getLong("count");
        seen = m.getLong("to");
      } else {
        assertThat(m.getString("type")).isEqualTo("change");
        assertThat(m.getLong("seq")).isEqualTo(seen + 1);
        seen = m.getLong("seq");
        changes++;
      }
    }
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(dropped).as("the buffer's policy met the excess").isGreaterThanOrEqualTo(150);
    assertThat(changes + dropped).isEqualTo(last);
    // One burst of 10 at once, then a token every 10 ms: the last change cannot come sooner.
    assertThat(elapsedMs).as("%d changes at 100/s", changes).isGreaterThanOrEqualTo((changes - 10) * 10L - 5);
  }

  @Test
  void theSessionKeepsTheClassAnOperatorChose() {
    RecordingClient first = connect();
    JsonObject welcome = hello(first, "keeper", "realtime");
    assertThat(welcome.getString("qos")).isEqualTo("realtime");
    assertThat(
            server
                .request("PUT", "/api/connections/" + idOf("keeper") + "/qos", "{\"class\":\"bulk\"}")
                .statusCode())
        .isEqualTo(200);
    assertThat(statsOf("keeper").getString("qos")).isEqualTo("bulk");
    first.close();
    awaitGone("keeper");

    RecordingClient second = connect();
    second.send(
        new JsonObject()
            .put("type", "hello")
            .put("resume", welcome.getString("resume"))
            .put("qos", "realtime"));
    JsonObject resumed = second.expect("welcome");
    assertThat(resumed.getBoolean("resumed")).isTrue();
    assertThat(resumed.getString("qos")).as("the operator's choice outlives the socket").isEqualTo("bulk");
    assertThat(resumed.getJsonObject("buffer").getInteger("max")).isEqualTo(100_000);
  }

  /**
   * The token's {@code qos} claim outranks what the hello asks for, and reaches classes a client
   * may not ask for; an operator's later choice outranks the claim.
   */
  @Test
  void theTokensQosClaimPicksTheClassEvenOneThatCannotBeAskedFor() {
    server.close();
    String secret = "qos-claim-secret-of-some-length";
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .jwtSecret(secret)
                .qosClasses(CLASSES)
                .build());
    String bulkToken =
        JwtTokens.hmac(
            "HS256",
            secret,
            new JsonObject().put("sub", "reporter").put("qos", "bulk").put("exp", JwtTokens.in(600)));
    RecordingClient c = connect();
    c.send(
        new JsonObject()
            .put("type", "hello")
            .put("token", bulkToken)
            .put("qos", "realtime"));
    JsonObject welcome = c.expect("welcome");
    assertThat(welcome.getString("qos")).isEqualTo("bulk");
    assertThat(welcome.getJsonObject("buffer").getInteger("max")).isEqualTo(100_000);

    String plainToken =
        JwtTokens.hmac(
            "HS256", secret, new JsonObject().put("sub", "screen").put("exp", JwtTokens.in(600)));
    RecordingClient d = connect();
    d.send(new JsonObject().put("type", "hello").put("token", plainToken).put("qos", "realtime"));
    assertThat(d.expect("welcome").getString("qos"))
        .as("without a claim the hello may ask")
        .isEqualTo("realtime");
  }

  @Test
  void aBadChangeIsRefusedWithAJsonErrorAndChangesNothing() {
    hello(connect(), "x", "realtime");
    String path = "/api/connections/" + idOf("x") + "/qos";
    HttpResponse<String> unknown = server.request("PUT", path, "{\"class\":\"gold\"}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(unknown.body()).getJsonObject("error").getString("code"))
        .isEqualTo("unknown-qos");
    HttpResponse<String> malformed = server.request("PUT", path, "{class: bulk}");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(malformed.body()).getJsonObject("error").getString("code"))
        .isEqualTo("bad-message");
    HttpResponse<String> nobody =
        server.request("PUT", "/api/connections/n-c999/qos", "{\"class\":\"bulk\"}");
    assertThat(nobody.statusCode()).isEqualTo(404);
    assertThat(statsOf("x").getString("qos")).isEqualTo("realtime");
  }

  /** {@code n} UPDATEs of keys {@code k0..}, rows padded to about 4 KB; for this package's ITs. */
  static JsonArray changes(int n) {
    JsonArray changes = new JsonArray();
    for (int i = 0; i < n; i++) {
      changes.add(
          new JsonObject()
              .put("op", "UPDATE")
              .put("key", "k" + i)
              .put("row", new JsonObject().put("pad", PADDING)));
    }
    return changes;
  }

  private String idOf(String clientId) {
    return statsOf(clientId).getString("id");
  }

  private JsonObject statsOf(String clientId) {
    for (Object o : server.connections()) {
      JsonObject c = (JsonObject) o;
      if (clientId.equals(c.getString("clientId"))) {
        return c;
      }
    }
    throw new AssertionError("no connection of client " + clientId + " in /api/connections");
  }

  /** Waits (bounded) until the server has let go of the client's connection. */
  private void awaitGone(String clientId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      boolean present = false;
      for (Object o : server.connections()) {
        present |= clientId.equals(((JsonObject) o).getString("clientId"));
      }
      if (!present) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError(clientId + " still connected after 10 s");
  }
}
