package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.server.testing.TestServer;
import io.slipstream.server.topic.SequencerVerticle;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (bug 5): a retried publish could apply twice, since nothing recognised a retry.
 * {@code Idempotency-Key} (docs/protocol.md §10, guarantee 10): the same (topic, key) within the
 * dedupe window returns the first answer and applies nothing; the same key with another body gets
 * 409 {@code idempotency-conflict}; retries while the first is still in flight get its answer when
 * it comes. The event bus takes {@code idempotencyKey} and fails with the HTTP status as the code.
 */
class IdempotentPublishRegressionIT {

  private final HttpClient http = HttpClient.newHttpClient();
  private TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String body(String key, int v) {
    return new JsonObject()
        .put("op", "UPDATE")
        .put("key", key)
        .put("row", new JsonObject().put("v", v))
        .encode();
  }

  private CompletableFuture<HttpResponse<String>> post(String topic, String body, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/topics/" + topic + "/changes"))
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Idempotency-Key", key);
    }
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> postNow(String topic, String body, String key) throws Exception {
    return post(topic, body, key).get(20, TimeUnit.SECONDS);
  }

  @Test
  void aRetryWithTheSameKeyReturnsTheSameSeqsAndAppliesOnce() throws Exception {
    HttpResponse<String> first = postNow("t", body("a", 1), "key-1");
    // Same changes, other formatting: still the same body.
    HttpResponse<String> retry = postNow("t", "  " + body("a", 1).replace(",", " , "), "key-1");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(retry.body())).isEqualTo(new JsonObject(first.body()));
    assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(server.rows("t").getLong("seq")).as("applied once").isEqualTo(1);

    assertThat(new JsonObject(postNow("t", body("a", 1), "key-2").body()).getLong("firstSeq"))
        .as("another key is another publish")
        .isEqualTo(2);
    assertThat(new JsonObject(postNow("u", body("a", 1), "key-1").body()).getLong("firstSeq"))
        .as("keys are per topic")
        .isEqualTo(1);
  }

  @Test
  void theSameKeyWithAnotherBodyIs409AndAppliesNothing() throws Exception {
    postNow("t", body("a", 1), "key-1");
    HttpResponse<String> other = postNow("t", body("a", 2), "key-1");
    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(other.body()).getJsonObject("error").getString("code"))
        .isEqualTo("idempotency-conflict");
    JsonObject rows = server.rows("t");
    assertThat(rows.getLong("seq")).isEqualTo(1);
    assertThat(rows.getJsonArray("rows").getJsonObject(0).getJsonObject("row").getInteger("v"))
        .isEqualTo(1);
    assertThat(postNow("t", body("a", 1), "x".repeat(257)).statusCode())
        .as("an over-long key")
        .isEqualTo(400);
  }

  @Test
  void concurrentDuplicatesInFlightGetTheOneAnswer() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    StalledSequencers stalled = StalledSequencers.stall(server.vertx());
    try (stalled) {
      for (int i = 0; i < 6; i++) {
        answers.add(post("t", body("a", 7), "in-flight"));
      }
      // Each request has its own HTTP/1.1 connection, so they may arrive in any order: the
      // conflicting body goes only once the six are with the sequencer.
      Eventually.await(
          Duration.ofSeconds(20),
          "six publishes in flight",
          () ->
              server
                  .request("GET", "/metrics", null)
                  .body()
                  .contains("slipstream_publishes_in_flight 6.0"));
      HttpResponse<String> conflict = post("t", body("a", 8), "in-flight").get(20, TimeUnit.SECONDS);
      assertThat(conflict.statusCode()).as("known while the first waits").isEqualTo(409);
    }
    List<JsonObject> bodies = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> a : answers) {
      HttpResponse<String> r = a.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      bodies.add(new JsonObject(r.body()));
    }
    assertThat(bodies).allSatisfy(b -> assertThat(b).isEqualTo(bodies.get(0)));
    assertThat(bodies.get(0).getLong("firstSeq")).isEqualTo(1);
    assertThat(server.rows("t").getLong("seq")).as("applied once").isEqualTo(1);
  }

  @Test
  void theEventBusTakesIdempotencyKeyAndFailsWithTheHttpStatus() {
    JsonObject request =
        new JsonObject()
            .put("topic", "eb")
            .put("idempotencyKey", "k")
            .put("op", "INSERT")
            .put("key", "a")
            .put("row", new JsonObject());
    JsonObject first =
        server.vertx().eventBus().<JsonObject>request(SequencerVerticle.PUBLISH_ADDRESS, request).await().body();
    JsonObject again =
        server.vertx().eventBus().<JsonObject>request(SequencerVerticle.PUBLISH_ADDRESS, request.copy()).await().body();
    assertThat(again).isEqualTo(first);
    assertThat(server.rows("eb").getLong("seq")).isEqualTo(1);
    JsonObject other = request.copy().put("key", "b");
    assertThatThrownBy(
            () -> server.vertx().eventBus().request(SequencerVerticle.PUBLISH_ADDRESS, other).await())
        .isInstanceOfSatisfying(
            ReplyException.class,
            e -> {
              assertThat(e.failureCode()).isEqualTo(409);
              assertThat(e.getMessage()).startsWith("idempotency-conflict");
            });
    JsonObject badKey = request.copy().put("idempotencyKey", 5);
    assertThatThrownBy(
            () -> server.vertx().eventBus().request(SequencerVerticle.PUBLISH_ADDRESS, badKey).await())
        .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
  }
}
