package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: {@code GET /api/topics/{topic}/rows} built the whole table as one string on an event loop
 * and sent it in one piece (with a {@code Content-Length}), and ignored {@code limit} and {@code
 * after}: a big table blocked the loop while it was built, sat in memory whole for as long as the
 * client took to read it, and could not be read in pages (docs/protocol.md §10, Topics). Now the
 * answer is streamed in chunks under the response's backpressure, and {@code ?limit=N&after=KEY}
 * pages in key order, each page consistent at its own seq.
 */
class RowsStreamedAndPagedIT {

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  /** Publishes {@code count} rows {@code k00000..} of about {@code pad} bytes, ~500 KB a batch. */
  private Map<String, JsonObject> publishRows(String topic, int count, int pad) {
    Map<String, JsonObject> rows = new HashMap<>();
    JsonArray batch = new JsonArray();
    for (int i = 0; i < count; i++) {
      String key = String.format(Locale.ROOT, "k%05d", i);
      JsonObject row = new JsonObject().put("n", i).put("pad", "x".repeat(pad));
      rows.put(key, row);
      batch.add(new JsonObject().put("op", "INSERT").put("key", key).put("row", row));
      if (batch.size() == Math.max(1, 500_000 / (pad + 60)) || i == count - 1) {
        server.publish(topic, batch);
        batch = new JsonArray();
      }
    }
    return rows;
  }

  private HttpResponse<String> get(String path) {
    return server.request("GET", path, null);
  }

  private static Map<String, JsonObject> byKey(JsonArray rows) {
    Map<String, JsonObject> out = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      JsonObject r = rows.getJsonObject(i);
      assertThat(out.put(r.getString("key"), r.getJsonObject("row"))).as("duplicate key").isNull();
    }
    return out;
  }

  private static List<String> keys(JsonArray rows) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      out.add(rows.getJsonObject(i).getString("key"));
    }
    return out;
  }

  @Test
  void aLargeTableComesInChunksAndIsExactlyTheTable() throws IOException {
    server = TestServer.start();
    Map<String, JsonObject> published = publishRows("big", 3_000, 200);
    try (RawHttp http = RawHttp.get(server.port(), "/api/topics/big/rows", 64 * 1024)) {
      assertThat(http.status).isEqualTo(200);
      assertThat(http.headers).containsEntry("content-type", "application/json");
      assertThat(http.headers)
          .as("streamed, not sized up front")
          .containsEntry("transfer-encoding", "chunked")
          .doesNotContainKey("content-length");
      JsonObject body = new JsonObject(http.readChunkedBody());
      assertThat(http.chunks).as("written in pieces").isGreaterThan(10);
      assertThat(body.getString("topic")).isEqualTo("big");
      assertThat(body.getLong("seq")).isEqualTo(3_000);
      assertThat(body.containsKey("next")).isFalse();
      assertThat(byKey(body.getJsonArray("rows"))).isEqualTo(published);
    }
  }

  @Test
  void aReaderThatStopsReadingHoldsNeitherTheLoopNorOtherReadersAndIsServedWhenItResumes()
      throws IOException {
    // One event loop: any blocking by the stalled answer would stall every request below.
    server = TestServer.start(SlipstreamConfig.defaults().toBuilder().eventLoops(1).build());
    Map<String, JsonObject> published = publishRows("big", 6_000, 1_000);
    try (RawHttp stalled = RawHttp.get(server.port(), "/api/topics/big/rows", 4 * 1024)) {
      assertThat(stalled.status).isEqualTo(200);
      // It reads nothing more for now: ~6 MB wait for it at the server, far beyond the socket
      // buffers, so the server has to stop writing and wait for the drain.
      for (int i = 0; i < 3; i++) {
        assertThat(get("/health").statusCode()).isEqualTo(200);
        JsonObject page = new JsonObject(get("/api/topics/big/rows?limit=5").body());
        assertThat(keys(page.getJsonArray("rows")))
            .containsExactly("k00000", "k00001", "k00002", "k00003", "k00004");
        publishRows("other", 1, 1);
      }
      JsonObject body = new JsonObject(stalled.readChunkedBody());
      assertThat(body.getLong("seq")).as("the view at the request, not later").isEqualTo(6_000);
      assertThat(byKey(body.getJsonArray("rows"))).isEqualTo(published);
    }
  }

  @Test
  void pagesWalkTheKeysInOrderEachConsistentAtItsOwnSeq() {
    server = TestServer.start();
    List<String> shuffled = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      shuffled.add(String.format(Locale.ROOT, "k%03d", i));
    }
    Collections.shuffle(shuffled, new java.util.Random(7));
    JsonArray changes = new JsonArray();
    for (String k : shuffled) {
      changes.add(
          new JsonObject()
              .put("op", "INSERT")
              .put("key", k)
              .put("row", new JsonObject().put("k", k)));
    }
    server.publish("t", changes);

    JsonObject first = new JsonObject(get("/api/topics/t/rows?limit=30").body());
    assertThat(first.getLong("seq")).isEqualTo(100);
    assertThat(keys(first.getJsonArray("rows")))
        .hasSize(30)
        .isSorted()
        .startsWith("k000")
        .endsWith("k029");
    assertThat(first.getJsonArray("rows").getJsonObject(0).getJsonObject("row"))
        .isEqualTo(new JsonObject().put("k", "k000"));
    assertThat(first.getString("next")).isEqualTo("k029");

    // Between pages: a key sorting after the cursor appears, the next one goes, the cursor's own
    // key goes. The next page shows the table as it is now, at its own seq.
    server.publish(
        "t",
        new JsonArray()
            .add(
                new JsonObject()
                    .put("op", "INSERT")
                    .put("key", "k029a")
                    .put("row", new JsonObject()))
            .add(new JsonObject().put("op", "DELETE").put("key", "k030"))
            .add(new JsonObject().put("op", "DELETE").put("key", "k029")));
    JsonObject second = new JsonObject(get("/api/topics/t/rows?limit=30&after=k029").body());
    assertThat(second.getLong("seq")).isEqualTo(103);
    assertThat(second.getString("epoch")).isEqualTo(first.getString("epoch"));
    List<String> secondKeys = keys(second.getJsonArray("rows"));
    assertThat(secondKeys).hasSize(30).isSorted().startsWith("k029a", "k031").endsWith("k059");
    assertThat(second.getString("next")).isEqualTo("k059");

    JsonObject third = new JsonObject(get("/api/topics/t/rows?limit=30&after=k059").body());
    assertThat(keys(third.getJsonArray("rows"))).hasSize(30).startsWith("k060").endsWith("k089");
    assertThat(third.getString("next")).isEqualTo("k089");
    JsonObject last = new JsonObject(get("/api/topics/t/rows?limit=30&after=k089").body());
    assertThat(keys(last.getJsonArray("rows"))).hasSize(10).startsWith("k090").endsWith("k099");
    assertThat(last.containsKey("next")).as("nothing follows the last page").isFalse();

    JsonObject exact = new JsonObject(get("/api/topics/t/rows?limit=10&after=k089").body());
    assertThat(keys(exact.getJsonArray("rows"))).hasSize(10);
    assertThat(exact.containsKey("next")).as("a page ending on the last key").isFalse();
    JsonObject past = new JsonObject(get("/api/topics/t/rows?after=k099").body());
    assertThat(past.getJsonArray("rows")).isEmpty();
    assertThat(past.containsKey("next")).isFalse();
    JsonObject afterAlone = new JsonObject(get("/api/topics/t/rows?after=k0").body());
    assertThat(keys(afterAlone.getJsonArray("rows")))
        .as("after alone: the largest page")
        .hasSize(99)
        .isSorted();
  }

  @Test
  void keysPageInUtf16OrderWhateverTheirHashesAndTheCursorNeedNotExist() {
    server = TestServer.start();
    // "Aa" and "BB" share a String hash; so do "AaAa", "AaBB", "BBAa", "BBBB": the trie keeps
    // such keys in insertion order, which paging must not depend on.
    List<String> keys =
        List.of("BBBB", "AaAa", "BBAa", "AaBB", "BB", "Aa", "é", "z", "a b", "a&b", "a+b");
    JsonArray changes = new JsonArray();
    for (String k : keys) {
      changes.add(new JsonObject().put("op", "INSERT").put("key", k).put("row", new JsonObject()));
    }
    server.publish("h", changes);
    TreeMap<String, Boolean> sorted = new TreeMap<>();
    keys.forEach(k -> sorted.put(k, true));
    List<String> walked = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < keys.size(); pages++) {
      String q = "/api/topics/h/rows?limit=2" + (after == null ? "" : "&after=" + encode(after));
      JsonObject page = new JsonObject(get(q).body());
      walked.addAll(keys(page.getJsonArray("rows")));
      after = page.getString("next");
      if (after == null) {
        break;
      }
    }
    assertThat(walked).containsExactlyElementsOf(sorted.keySet());
    // A cursor that is no key at all starts after where it would sort.
    JsonObject fromGap =
        new JsonObject(get("/api/topics/h/rows?limit=3&after=" + encode("AaAb")).body());
    assertThat(keys(fromGap.getJsonArray("rows"))).containsExactly("AaBB", "BB", "BBAa");
  }

  @Test
  void aBadLimitOrAfterIsA400WithAJsonBody() {
    server = TestServer.start();
    server.publish(
        "t", new JsonObject().put("op", "INSERT").put("key", "a").put("row", new JsonObject()));
    for (String limit : List.of("0", "10001", "-1", "abc", "", "1.5", "99999999999", "1e3")) {
      assertError(get("/api/topics/t/rows?limit=" + encode(limit)), "bad-message");
    }
    assertError(get("/api/topics/t/rows?limit=1&limit=2"), "bad-message");
    assertError(get("/api/topics/t/rows?after="), "bad-key");
    assertError(get("/api/topics/t/rows?after=" + "k".repeat(257)), "bad-key");
    assertError(get("/api/topics/t/rows?after=a&after=b"), "bad-message");
    assertThat(get("/api/topics/t/rows?limit=10000").statusCode()).isEqualTo(200);
    assertThat(get("/api/topics/t/rows?limit=1&after=" + "k".repeat(256)).statusCode())
        .isEqualTo(200);
  }

  private static void assertError(HttpResponse<String> r, String code) {
    assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject err = new JsonObject(r.body()).getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo(code);
    assertThat(err.getString("message")).isNotBlank();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * One HTTP/1.1 GET over a plain socket with a small receive buffer, so a test sees the framing
   * (chunked or not) and decides when to read.
   */
  private static final class RawHttp implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final int status;
    final Map<String, String> headers = new HashMap<>();
    int chunks;

    private RawHttp(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      String statusLine = line();
      this.status = Integer.parseInt(statusLine.split(" ")[1]);
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
    }

    static RawHttp get(int port, String path, int receiveBuffer) throws IOException {
      Socket s = new Socket();
      s.setReceiveBufferSize(receiveBuffer);
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new RawHttp(s);
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed mid-line");
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }

    /** Reads a chunked body to its last chunk and returns it as UTF-8 text. */
    String readChunkedBody() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(line().trim(), 16);
        if (size == 0) {
          line();
          return body.toString(StandardCharsets.UTF_8);
        }
        chunks++;
        body.write(in.readNBytes(size));
        line();
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
