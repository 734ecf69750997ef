package io.slipstream.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API of docs/protocol.md §10 over a real socket, including every error shape. */
class HttpApiIT {

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String topic, String body, String... headers) {
    return server.request("POST", "/api/topics/" + topic + "/changes", body, headers);
  }

  private static JsonObject assertError(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject err = new JsonObject(r.body()).getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo(code);
    assertThat(err.getString("message")).isNotBlank();
    return err;
  }

  @Test
  void publishesOneChangeOrAnArrayWithGapFreeSeqs() {
    server = TestServer.start();
    JsonObject one = new JsonObject(post("orders", "{\"op\":\"INSERT\",\"key\":\"o1\",\"row\":{\"qty\":5}}").body());
    assertThat(one.getString("topic")).isEqualTo("orders");
    assertThat(one.getLong("firstSeq")).isEqualTo(1);
    assertThat(one.getLong("lastSeq")).isEqualTo(1);
    HttpResponse<String> r =
        post(
            "orders",
            "[{\"op\":\"UPDATE\",\"key\":\"o1\",\"row\":{\"qty\":6}},"
                + "{\"op\":\"INSERT\",\"key\":\"o2\",\"row\":{\"qty\":1}},"
                + "{\"op\":\"DELETE\",\"key\":\"o1\"}]");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject many = new JsonObject(r.body());
    assertThat(many.getLong("firstSeq")).isEqualTo(2);
    assertThat(many.getLong("lastSeq")).isEqualTo(4);
    assertThat(many.getString("epoch")).isEqualTo(one.getString("epoch"));

    JsonObject rows = server.rows("orders");
    assertThat(rows.getLong("seq")).isEqualTo(4);
    assertThat(rows.getString("epoch")).isEqualTo(one.getString("epoch"));
    assertThat(rows.getJsonArray("rows"))
        .containsExactly(new JsonObject().put("key", "o2").put("row", new JsonObject().put("qty", 1)));

    JsonObject topic = new JsonObject(server.request("GET", "/api/topics/orders", null).body());
    assertThat(topic.getLong("seq")).isEqualTo(4);
    assertThat(topic.getInteger("rows")).isEqualTo(1);
    assertThat(topic.getInteger("subscribers")).isZero();
    assertThat(topic.getJsonObject("replay")).isEqualTo(new JsonObject().put("from", 1).put("to", 4));
    JsonArray all = new JsonArray(server.request("GET", "/api/topics", null).body());
    assertThat(all).hasSize(1);
    assertThat(all.getJsonObject(0).getString("topic")).isEqualTo("orders");
  }

  @Test
  void aBadChangeInAnArrayRejectsTheWholeArrayAndNamesItsIndex() {
    server = TestServer.start();
    post("t", "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}}");
    JsonObject err =
        assertError(
            post("t", "[{\"op\":\"INSERT\",\"key\":\"b\",\"row\":{}},{\"op\":\"MERGE\",\"key\":\"c\",\"row\":{}}]"),
            400,
            "bad-op");
    assertThat(err.getInteger("index")).isEqualTo(1);
    assertThat(server.rows("t").getLong("seq")).as("nothing applied").isEqualTo(1);
  }

  @Test
  void everyBadInputGetsA4xxWithAJsonBody() {
    server = TestServer.start(SlipstreamConfig.defaults().toBuilder().eventLoops(1).maxPublishBytes(1024).build());
    assertError(post("t", "{nope"), 400, "bad-json");
    assertError(post("t", ""), 400, "bad-json");
    assertError(post("t", "[]"), 400, "bad-message");
    assertError(post("t", "[1]"), 400, "bad-message");
    assertError(post("t", "{\"key\":\"a\",\"row\":{}}"), 400, "bad-op");
    assertError(post("t", "{\"op\":\"INSERT\",\"row\":{}}"), 400, "bad-key");
    assertError(post("t", "{\"op\":\"INSERT\",\"key\":\"\",\"row\":{}}"), 400, "bad-key");
    assertError(post("t", "{\"op\":\"INSERT\",\"key\":\"" + "k".repeat(257) + "\",\"row\":{}}"), 400, "bad-key");
    assertError(post("t", "{\"op\":\"INSERT\",\"key\":7,\"row\":{}}"), 400, "bad-key");
    assertError(post("t", "{\"op\":\"UPDATE\",\"key\":\"a\"}"), 400, "bad-row");
    assertError(post("t", "{\"op\":\"UPDATE\",\"key\":\"a\",\"row\":[1]}"), 400, "bad-row");
    assertError(post("t", "{\"op\":\"DELETE\",\"key\":\"a\",\"row\":{}}"), 400, "bad-row");
    assertError(post("bad%20topic", "{\"op\":\"DELETE\",\"key\":\"a\"}"), 400, "bad-topic");
    assertError(post("t".repeat(129), "{\"op\":\"DELETE\",\"key\":\"a\"}"), 400, "bad-topic");
    assertError(post("t", "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"pad\":\"" + "x".repeat(2000) + "\"}}"), 413, "too-large");
    assertError(server.request("GET", "/api/topics/missing", null), 404, "not-found");
    assertError(server.request("GET", "/api/topics/missing/rows", null), 404, "not-found");
    assertError(server.request("GET", "/api/nothing-here", null), 404, "not-found");
    assertThat(server.request("GET", "/api/topics/t", null).statusCode()).as("no topic was created").isEqualTo(404);
  }

  @Test
  void rowsOfATopicWithNoRowsLeftAreEmptyWholeAndPaged() {
    server = TestServer.start();
    post(
        "gone",
        "[{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}},{\"op\":\"DELETE\",\"key\":\"a\"}]");
    JsonObject whole = server.rows("gone");
    assertThat(whole.getLong("seq")).isEqualTo(2);
    assertThat(whole.getJsonArray("rows")).isEmpty();
    assertThat(whole.containsKey("next")).isFalse();
    JsonObject page =
        new JsonObject(server.request("GET", "/api/topics/gone/rows?limit=1", null).body());
    assertThat(page.getLong("seq")).isEqualTo(2);
    assertThat(page.getString("epoch")).isEqualTo(whole.getString("epoch"));
    assertThat(page.getJsonArray("rows")).isEmpty();
    assertThat(page.containsKey("next")).isFalse();
    assertError(server.request("GET", "/api/topics/missing/rows?limit=1", null), 404, "not-found");
    assertError(
        server.request("GET", "/api/topics/bad%20name/rows?limit=0", null), 400, "bad-topic");
  }

  @Test
  void aPublishTokenIsRequiredWhenConfigured() {
    server = TestServer.start(SlipstreamConfig.defaults().toBuilder().eventLoops(1).publishToken("tok").build());
    String change = "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}}";
    assertError(post("t", change), 401, "unauthorized");
    assertError(post("t", change, "Authorization", "Bearer nope"), 401, "unauthorized");
    assertThat(post("t", change, "Authorization", "Bearer tok").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsAreServedAsPrometheusText() {
    server = TestServer.start();
    post("m", "[{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}},{\"op\":\"DELETE\",\"key\":\"a\"}]");
    var client = server.client();
    client.hello();
    client.subscribe("m");
    HttpResponse<String> r = server.request("GET", "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("slipstream_changes_published_total 2.0")
        .contains("slipstream_connections 1.0")
        .contains("slipstream_topics 1.0")
        .contains("slipstream_connections_closed_total{code=\"4001\"} 0.0");
  }

  @Test
  void healthIsServingOnceStarted() {
    server = TestServer.start();
    HttpResponse<String> r = server.request("GET", "/health", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("status")).isEqualTo("serving");
  }

  /**
   * The forms of a publish that go to the router rather than ahead of it (ProducerApi) get the
   * answers they always got: a chunked body is applied, an encoded topic is decoded, a ".."
   * segment is resolved to no endpoint, a body over maxPublishBytes is 413 before it is read,
   * another method is no endpoint; and the plain form next to them is applied with the same
   * answer.
   */
  @Test
  void theFormsThatSkipTheRouterAndThoseThatDoNotAnswerAlike() throws Exception {
    server = TestServer.start(SlipstreamConfig.defaults().toBuilder().maxPublishBytes(2048).build());
    String change = "{\"op\":\"INSERT\",\"key\":\"k\",\"row\":{\"n\":1}}";
    HttpResponse<String> plain = post("a.b", change);
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    assertThat(new JsonObject(plain.body()).getLong("lastSeq")).isEqualTo(1);

    HttpResponse<String> encoded = post("a%2Eb", change);
    assertThat(encoded.statusCode()).as(encoded.body()).isEqualTo(200);
    assertThat(new JsonObject(encoded.body()).getString("topic")).isEqualTo("a.b");
    assertThat(new JsonObject(encoded.body()).getLong("lastSeq")).isEqualTo(2);

    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest chunked =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/api/topics/a.b/changes"))
            .timeout(java.time.Duration.ofSeconds(10))
            .header("content-type", "application/json")
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(change.getBytes())))
            .build();
    HttpResponse<String> viaRouter = client.send(chunked, HttpResponse.BodyHandlers.ofString());
    assertThat(viaRouter.statusCode()).as(viaRouter.body()).isEqualTo(200);
    assertThat(new JsonObject(viaRouter.body()).getLong("lastSeq")).isEqualTo(3);

    assertError(post("..", change), 404, "not-found");
    assertError(post("t", "[" + (change + ",").repeat(60) + change + "]"), 413, "too-large");
    assertError(server.request("PUT", "/api/topics/t/changes", change), 404, "not-found");
    assertError(post("t", ""), 400, "bad-json");
    assertError(post("t", "{\"op\":"), 400, "bad-json");
    assertThat(server.rows("a.b").getLong("seq")).isEqualTo(3);
  }
}
