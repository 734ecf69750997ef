package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (bug 4): any client could exhaust a node's heap by subscribing. Every topic eagerly
 * allocated a {@code replayLogSize}-slot ring (~400 KB) before holding anything, any client created
 * one by subscribing to a new name, and nothing ever removed it: ten connections subscribing to 200
 * new names each drove a 512 MB node into OOM within seconds, and with more heap, reaching {@code
 * maxTopics} refused every new topic until a restart.
 *
 * <p>Now a subscribe-only topic costs a few hundred bytes, and is forgotten when its last
 * subscriber leaves: rounds of connections that each fill {@code maxTopics} with new names all
 * succeed, {@code GET /api/topics} shrinks back to nothing between them, and the heap stays flat.
 */
class SubscribeChurnRegressionIT {

  private static final int MAX_TOPICS = 400;
  private static final int CONNECTIONS = 4;
  private static final int TOPICS_EACH = MAX_TOPICS / CONNECTIONS;

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void subscribingToNewNamesNeitherGrowsTheHeapNorExhaustsMaxTopics() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .maxTopics(MAX_TOPICS)
                .rateLimit(1_000)
                .rateBurst(1_000)
                .build());
    long baseline = usedHeapAfterGc();
    for (int round = 0; round < 3; round++) {
      List<RecordingClient> clients = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        RecordingClient client = server.client();
        client.hello();
        for (int t = 0; t < TOPICS_EACH; t++) {
          client.send(
              new JsonObject()
                  .put("type", "subscribe")
                  .put("topic", "r" + round + ".c" + c + ".t" + t));
        }
        clients.add(client);
      }
      for (RecordingClient client : clients) {
        for (int t = 0; t < TOPICS_EACH; t++) {
          // Round 2 would get topic-limit here if round 1's topics were still held.
          client.expect("subscribed");
          client.expect("snapshot");
          client.expect("snapshot");
        }
      }
      assertThat(topics()).as("round %d holds maxTopics topics", round).hasSize(MAX_TOPICS);
      long held = usedHeapAfterGc() - baseline;
      System.out.println("round " + round + ": " + MAX_TOPICS + " topics hold " + held + " bytes");
      // The old code held 400 rings of 100,000 slots here: about 160 MB.
      assertThat(held)
          .as("heap held by %d subscribe-only topics, round %d", MAX_TOPICS, round)
          .isLessThan(24L << 20);
      clients.forEach(RecordingClient::close);
      Eventually.await(
          Duration.ofSeconds(20), "every subscribe-only topic forgotten", () -> topics().isEmpty());
    }
    assertThat(usedHeapAfterGc() - baseline).as("heap after three rounds").isLessThan(24L << 20);
  }

  /**
   * A topic that was published to is kept when its subscribers leave; only a never-published one is
   * forgotten.
   */
  @Test
  void publishedTopicsAreKeptWhenTheirSubscribersLeave() {
    server = TestServer.start();
    RecordingClient client = server.client();
    client.hello();
    client.subscribe("kept");
    client.expect("snapshot");
    client.expect("snapshot");
    client.subscribe("dropped");
    client.expect("snapshot");
    client.expect("snapshot");
    server.publish(
        "kept", new JsonObject().put("op", "INSERT").put("key", "a").put("row", new JsonObject()));
    client.assertChange("kept", 1);
    client.close();
    Eventually.await(
        Duration.ofSeconds(20),
        "the unpublished topic forgotten",
        () -> topics().size() == 1 && topics().getJsonObject(0).getString("topic").equals("kept"));
    assertThat(topics().getJsonObject(0).getLong("seq")).isEqualTo(1);
    assertThat(topics().getJsonObject(0).getInteger("subscribers")).isZero();
  }

  private JsonArray topics() {
    return new JsonArray(server.request("GET", "/api/topics", null).body());
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
