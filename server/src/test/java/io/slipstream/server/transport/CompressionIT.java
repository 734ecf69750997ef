package io.slipstream.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.CompressionConfig;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate on {@code /ws} (compression.*): a client that offers it gets compressed frames
 * (RSV1) for messages of at least {@code minBytes}, each inflating on its own and all of them
 * through one inflater that keeps its context, as browsers do; shorter messages, and clients that
 * offer nothing, get plain frames; with compression off nothing is negotiated.
 *
 * <p>Per QoS class (docs/protocol.md §1, §6): {@code /ws} negotiates the extension when the node or
 * any class turns compression on; once the hello settles the class, a connection sends compressed
 * frames only if its class wants it, and an operator's change of class switches it on a live
 * socket. Frames are read raw, so RSV1 is what is asserted, and {@code
 * slipstream_ws_bytes_written_total} counts what went on the wire.
 */
class CompressionIT {

  private static final String TOPIC = "t";

  /** A row that deflate shrinks to a small fraction: far above compression.minBytes. */
  private static final int ROW_PAD = 2_000;

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(boolean enabled) {
    start(enabled, null);
  }

  /** A node with {@code compression.enabled} and the QoS classes of {@code classes} (or none). */
  private void start(boolean enabled, String classes) {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .compression(new CompressionConfig(enabled, 6, 256))
                .qosClasses(classes == null ? null : new JsonObject(classes))
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

  @Test
  void aClassWithCompressionOffGetsPlainFramesAlthoughDeflateWasNegotiated() throws Exception {
    start(true, "{\"bulk\": {\"compression\": false}}");
    try (RawWebSocket bulk = RawWebSocket.connectDeflate(server.port(), "/ws");
        RawWebSocket standard = RawWebSocket.connectDeflate(server.port(), "/ws")) {
      assertThat(bulk.extensions()).startsWith("permessage-deflate");
      assertThat(standard.extensions()).startsWith("permessage-deflate");
      assertThat(welcome(bulk, "b", "bulk").compressed()).isFalse();
      welcome(standard, "s", null);
      subscribe(bulk);
      subscribe(standard);

      long last = publish(5);
      assertThat(changes(bulk, last, 5)).as("bulk: compressed frames").isZero();
      assertThat(changes(standard, last, 5)).as("standard: compressed frames").isEqualTo(5);
    }
  }

  @Test
  void aClassWithCompressionOnGetsCompressedFramesWhileTheNodeDefaultIsOff() throws Exception {
    start(false, "{\"mobile\": {\"compression\": true}}");
    try (RawWebSocket mobile = RawWebSocket.connectDeflate(server.port(), "/ws");
        RawWebSocket standard = RawWebSocket.connectDeflate(server.port(), "/ws")) {
      assertThat(mobile.extensions())
          .as("negotiated at the upgrade because a class turns compression on")
          .startsWith("permessage-deflate");
      assertThat(welcome(mobile, "m", "mobile").text()).contains("\"mobile\"");
      welcome(standard, "s", null);
      subscribe(mobile);
      subscribe(standard);

      long last = publish(5);
      assertThat(changes(mobile, last, 5)).as("mobile: compressed frames").isEqualTo(5);
      assertThat(changes(standard, last, 5)).as("standard: compressed frames").isZero();
    }
  }

  @Test
  void nothingNegotiatedWhenNeitherTheNodeNorAnyClassCompresses() throws Exception {
    start(false, "{\"bulk\": {\"max\": 10}}");
    try (RawWebSocket ws = RawWebSocket.connectDeflate(server.port(), "/ws")) {
      assertThat(ws.extensions()).isEmpty();
    }
  }

  @Test
  void anOperatorsChangeOfClassSwitchesCompressionOnTheLiveSocket() throws Exception {
    start(false, "{\"mobile\": {\"compression\": true}}");
    try (RawWebSocket ws = RawWebSocket.connectDeflate(server.port(), "/ws")) {
      welcome(ws, "op", null);
      subscribe(ws);
      String id = idOf("op");

      long plainBytes = wireBytes(ws, () -> assertThat(changes(ws, publish(5), 5)).isZero());

      moveTo(id, "mobile");
      long deflatedBytes =
          wireBytes(ws, () -> assertThat(changes(ws, publish(5), 5)).isEqualTo(5));

      moveTo(id, "standard");
      assertThat(changes(ws, publish(5), 5)).as("back to standard: plain again").isZero();

      assertThat(plainBytes).as("5 plain frames of 2 KB rows").isGreaterThan(5 * ROW_PAD);
      assertThat(deflatedBytes)
          .as("the same 5 rows compressed (plain: %d bytes)", plainBytes)
          .isLessThan(plainBytes / 4);
    }
  }

  /** Publishes {@code n} changes of {@link #ROW_PAD}-byte rows and returns the last seq. */
  private long publish(int n) {
    return server.publish(TOPIC, rows(n, ROW_PAD)).getLong("lastSeq");
  }

  /** Reads the {@code n} changes ending at seq {@code last}; returns how many came compressed. */
  private static int changes(RawWebSocket ws, long last, int n) throws IOException {
    int compressed = 0;
    for (long seq = last - n + 1; seq <= last; seq++) {
      RawWebSocket.Frame f = ws.read();
      JsonObject change = new JsonObject(f.text());
      assertThat(change.getString("type")).isEqualTo("change");
      assertThat(change.getLong("seq")).isEqualTo(seq);
      assertThat(change.getJsonObject("row").getString("pad")).hasSize(ROW_PAD / 3 * 3);
      compressed += f.compressed() ? 1 : 0;
    }
    return compressed;
  }

  private static RawWebSocket.Frame welcome(RawWebSocket ws, String clientId, String qos)
      throws IOException {
    JsonObject hello = new JsonObject().put("type", "hello").put("clientId", clientId);
    if (qos != null) {
      hello.put("qos", qos);
    }
    ws.send(hello.encode());
    RawWebSocket.Frame welcome = ws.read();
    assertThat(new JsonObject(welcome.text()).getString("type")).isEqualTo("welcome");
    return welcome;
  }

  /** Subscribes to the empty topic and reads up to its (empty) snapshot's end. */
  /**
   * A compressed message inflating past the message limit (4 × maxFrameBytes, at least 1 MiB)
   * closes 1009 while the decoder inflates it (InflateBound), and the node serves the next client.
   */
  @Test
  void aCompressedMessageInflatingPastTheLimitCloses1009() throws Exception {
    start(true);
    byte[] plain = new byte[8 << 20];
    java.util.Arrays.fill(plain, (byte) ' ');
    java.util.zip.Deflater d = new java.util.zip.Deflater(9, true);
    d.setInput(plain);
    byte[] out = new byte[plain.length / 100];
    int n = d.deflate(out, 0, out.length, java.util.zip.Deflater.SYNC_FLUSH);
    d.end();
    try (RawWebSocket ws = RawWebSocket.connectDeflate(server.port(), "/ws")) {
      assertThat(ws.extensions()).startsWith("permessage-deflate");
      // FIN, RSV1 (compressed), text; without the sync flush's 00 00 ff ff tail (RFC 7692).
      ws.sendFrame(0xC1, java.util.Arrays.copyOf(out, n - 4));
      RawWebSocket.Frame f = ws.read();
      assertThat(f.isClose()).isTrue();
      assertThat(f.closeCode()).isEqualTo(1009);
    }
    try (RawWebSocket next = RawWebSocket.connectDeflate(server.port(), "/ws")) {
      next.send("{\"type\":\"hello\"}");
      assertThat(next.read().text()).contains("\"welcome\"");
    }
  }

  private static void subscribe(RawWebSocket ws) throws IOException {
    ws.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
    while (!ws.read().text().contains("\"end\"")) {
      // subscribed, snapshot begin
    }
  }

  private void moveTo(String id, String qos) {
    HttpResponse<String> r =
        server.request("PUT", "/api/connections/" + id + "/qos", "{\"class\":\"" + qos + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private interface Step {
    void run() throws IOException;
  }

  /**
   * The growth of {@code slipstream_ws_bytes_written_total} over {@code step}, each reading taken
   * after a ping's pong: the pong is written on a later turn of the socket's loop than any frame
   * before it, so those frames' flush has counted them (the pongs' own bytes are in the figure).
   */
  private long wireBytes(RawWebSocket ws, Step step) throws IOException {
    sync(ws);
    double before = server.meter("slipstream_ws_bytes_written_total");
    step.run();
    sync(ws);
    return (long) (server.meter("slipstream_ws_bytes_written_total") - before);
  }

  private static void sync(RawWebSocket ws) throws IOException {
    ws.send("{\"type\":\"ping\",\"id\":\"sync\"}");
    assertThat(ws.read().text()).contains("pong");
  }

  private String idOf(String clientId) {
    for (Object o : server.connections()) {
      JsonObject c = (JsonObject) o;
      if (clientId.equals(c.getString("clientId"))) {
        return c.getString("id");
      }
    }
    throw new AssertionError("no connection of client " + clientId);
  }
}
