package io.slipstream.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.CompressionConfig;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate on {@code /ws} (compression.*): a client that offers it gets compressed frames
 * (RSV1) for messages of at least {@code minBytes}, each inflating on its own and all of them
 * through one inflater that keeps its context, as browsers do; shorter messages, and clients that
 * offer nothing, get plain frames; with compression off nothing is negotiated.
 */
class CompressionIT {

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(boolean enabled) {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .compression(new CompressionConfig(enabled, 6, 256))
                .build());
  }

  private static JsonArray rows(int n, int padding) {
    JsonArray changes = new JsonArray();
    for (int i = 0; i < n; i++) {
      changes.add(
          new JsonObject()
              .put("op", "UPDATE")
              .put("key", "k" + i)
              .put("row", new JsonObject().put("i", i).put("pad", "abc".repeat(padding / 3))));
    }
    return changes;
  }

  @Test
  void aClientThatOffersDeflateGetsCompressedFramesThatInflateToTheSameMessages()
      throws Exception {
    start(true);
    server.publish("t", rows(3, 30)); // small rows: the snapshot's rows stay plain
    try (RawWebSocket ws = RawWebSocket.connectDeflate(server.port(), "/ws")) {
      assertThat(ws.extensions()).startsWith("permessage-deflate");
      ws.send("{\"type\":\"hello\"}");
      RawWebSocket.Frame welcome = ws.read();
      assertThat(new JsonObject(welcome.text()).getString("type")).isEqualTo("welcome");
      ws.send("{\"type\":\"subscribe\",\"topic\":\"t\"}");
      List<RawWebSocket.Frame> frames = new ArrayList<>();
      while (frames.stream().noneMatch(f -> f.text().contains("\"end\""))) {
        frames.add(ws.read());
      }
      assertThat(frames).filteredOn(f -> f.text().contains("\"snapshot\":true")).hasSize(3)
          .allSatisfy(f -> assertThat(f.compressed()).as("short rows go plain").isFalse());

      long last = server.publish("t", rows(20, 2_000)).getLong("lastSeq");
      int compressed = 0;
      for (long seq = last - 19; seq <= last; seq++) {
        RawWebSocket.Frame f = ws.read();
        JsonObject change = new JsonObject(f.text());
        assertThat(change.getLong("seq")).isEqualTo(seq);
        assertThat(change.getJsonObject("row").getString("pad")).hasSize(1998);
        compressed += f.compressed() ? 1 : 0;
      }
      assertThat(compressed).as("every 2 KB change compressed").isEqualTo(20);
    }
  }

  @Test
  void aClientThatOffersNothingGetsPlainFrames() throws Exception {
    start(true);
    try (RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws")) {
      assertThat(ws.extensions()).isEmpty();
      ws.send("{\"type\":\"hello\"}");
      assertThat(ws.read().compressed()).isFalse();
      ws.send("{\"type\":\"subscribe\",\"topic\":\"t\"}");
      while (!ws.read().text().contains("\"end\"")) {
        // subscribed, snapshot begin, end
      }
      server.publish("t", rows(1, 2_000));
      RawWebSocket.Frame f = ws.read();
      assertThat(f.compressed()).isFalse();
      assertThat(new JsonObject(f.text()).getString("type")).isEqualTo("change");
    }
  }

  @Test
  void offNothingIsNegotiated() throws Exception {
    start(false);
    try (RawWebSocket ws = RawWebSocket.connectDeflate(server.port(), "/ws")) {
      assertThat(ws.extensions()).isEmpty();
      ws.send("{\"type\":\"hello\"}");
      assertThat(ws.read().compressed()).isFalse();
    }
  }
}
