package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (bug 5): publishing had no backpressure. Publishes queued without limit on the
 * sequencer loops, and after the 30 s request timeout HTTP answered 500 while the change was still
 * applied later. Now each sequencer holds at most {@code maxPendingPublishes}; beyond, 503 {@code
 * overloaded} with {@code Retry-After}, not applied; and a publish still waiting when its {@code
 * publishTimeoutMs} passes is answered 503 {@code overloaded} and never applied afterwards.
 */
class PublishBackpressureRegressionIT {

  private final HttpClient http = HttpClient.newHttpClient();
  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  private CompletableFuture<HttpResponse<String>> postAsync(String topic, String key) {
    String body =
        new JsonObject().put("op", "INSERT").put("key", key).put("row", new JsonObject()).encode();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + server.port() + "/api/topics/" + topic + "/changes"))
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private Set<String> rowKeys(String topic) {
    Set<String> keys = new HashSet<>();
    JsonArray rows = server.rows(topic).getJsonArray("rows");
    for (int i = 0; i < rows.size(); i++) {
      keys.add(rows.getJsonObject(i).getString("key"));
    }
    return keys;
  }

  @Test
  void floodingOneSequencerBeyondMaxPendingPublishesIsRefusedAndNothingRefusedIsApplied()
      throws Exception {
    int max = 4;
    int sent = 16;
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(2).maxPendingPublishes(max).build());
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    StalledSequencers stalled = StalledSequencers.stall(server.vertx());
    try (stalled) {
      for (int i = 0; i < sent; i++) {
        answers.add(postAsync("flood", "r" + i));
      }
      // The refusals come back while the sequencer is still stalled: nothing waits for it.
      Eventually.await(
          Duration.ofSeconds(15),
          "the publishes beyond maxPendingPublishes answered",
          () -> answers.stream().filter(CompletableFuture::isDone).count() >= sent - max);
      assertThat(answers.stream().filter(CompletableFuture::isDone).count())
          .as("the queued ones wait for the sequencer")
          .isEqualTo(sent - max);
    }
    Set<String> accepted = new HashSet<>();
    Set<String> refused = new HashSet<>();
    for (int i = 0; i < sent; i++) {
      HttpResponse<String> r = answers.get(i).get(20, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        accepted.add("r" + i);
        continue;
      }
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code"))
          .isEqualTo("overloaded");
      refused.add("r" + i);
    }
    assertThat(accepted).hasSize(max);
    assertThat(refused).hasSize(sent - max);
    assertThat(server.rows("flood").getLong("seq")).isEqualTo(max);
    assertThat(rowKeys("flood")).isEqualTo(accepted);
    // Later, with the queue drained, the same publishes go through.
    assertThat(postAsync("flood", "again").get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aPublishThatWaitedPastItsTimeoutIsAnswered503AndNeverAppliedLater() throws Exception {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(2).publishTimeoutMs(300).build());
    HttpResponse<String> late;
    StalledSequencers stalled = StalledSequencers.stall(server.vertx());
    try (stalled) {
      late = postAsync("t", "late").get(15, TimeUnit.SECONDS);
      // Answered while the sequencer is still stalled, so it cannot have been applied.
      assertThat(late.statusCode()).as(late.body()).isEqualTo(503);
      assertThat(late.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(new JsonObject(late.body()).getJsonObject("error").getString("code"))
          .isEqualTo("overloaded");
    }
    HttpResponse<String> next = postAsync("t", "next").get(15, TimeUnit.SECONDS);
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(next.body()).getLong("firstSeq"))
        .as("the late publish, queued first, took no seq")
        .isEqualTo(1);
    assertThat(rowKeys("t")).containsExactly("next");
  }
}
