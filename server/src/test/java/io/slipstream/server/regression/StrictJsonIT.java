package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bug: JSON with comments was accepted. A {@code ping} carrying a C-style comment got a {@code
 * pong}, and an HTTP publish with a comment in its body was applied, because Vert.x's JSON codec
 * turns Jackson's {@code ALLOW_COMMENTS} on. docs/protocol.md §3 says strict JSON (RFC 8259): every
 * lenient form below is malformed, on every transport and in HTTP bodies, and each malformed frame
 * gets exactly one {@code error} {@code bad-json}.
 */
class StrictJsonIT {

  /** Each would be a ping (or the error of a ping) to a lenient parser. */
  static final List<String> MALFORMED_PINGS =
      List.of(
          "{\"type\":\"ping\" /* c */}",
          "{\"type\":\"ping\"} // c",
          "# c\n{\"type\":\"ping\"}",
          "{\"type\":\"ping\",}",
          "{\"type\":\"ping\",\"id\":[1,]}",
          "{'type':'ping'}",
          "{\"type\":'ping'}",
          "{\"type\":\"ping\",\"id\":NaN}",
          "{\"type\":\"ping\",\"id\":Infinity}",
          "{\"type\":\"ping\",\"id\":-Infinity}",
          "{type:\"ping\"}",
          "{\"type\":\"ping\"}{\"type\":\"ping\"}",
          "{\"type\":\"ping\"} x",
          "{\"type\":\"ping\"}]",
          "{\"type\":\"ping\",\"id\":01}",
          "{\"type\":\"ping\",\"id\":+1}",
          "{\"type\":\"ping\",\"id\":.5}",
          "{\"type\":\"ping\",\"id\":1.}",
          "{\"type\":\"ping\",\"id\":\"a\\'b\"}",
          "{\"type\":\"ping\",\"id\":\"a\tb\"}",
          "{\"type\":\"ping\",\"id\":[1,,2]}");

  /** The same forms in a publish body; each would be one valid INSERT to a lenient parser. */
  static final List<String> MALFORMED_CHANGES =
      List.of(
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{} /* c */}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}} // c",
          "# c\n{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{},}",
          "[{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}},]",
          "{'op':'INSERT','key':'a','row':{}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"v\":NaN}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"v\":Infinity}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"v\":-Infinity}}",
          "{op:\"INSERT\",key:\"a\",row:{}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}}"
              + "{\"op\":\"INSERT\",\"key\":\"b\",\"row\":{}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}} x",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"v\":01}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"v\":+1}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"v\":.5}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"v\":1.}}",
          "{\"op\":\"INSERT\",\"key\":\"a\\'b\",\"row\":{}}",
          "{\"op\":\"INSERT\",\"key\":\"a\tb\",\"row\":{}}",
          "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"v\":[1,,2]}}");

  /** Fewer than the 20 errors a connection may make in 10 s before 4004. */
  private static final int PER_CONNECTION = 10;

  private static TestServer server;
  private static Vertx clients;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    clients.close().await();
    server.close();
  }

  /** The transports a client may speak (docs/protocol.md §1, Transports). */
  enum Transport {
    WEBSOCKET,
    SOCKJS,
    SOCKJS_RAW_WEBSOCKET
  }

  /** A connection that sends raw text and yields the server's messages in order. */
  interface Conn extends AutoCloseable {
    void send(String text);

    JsonObject next() throws InterruptedException;

    @Override
    void close();
  }

  private static Conn open(Transport t) {
    if (t == Transport.WEBSOCKET) {
      RecordingClient c = server.client();
      return new Conn() {
        @Override
        public void send(String text) {
          c.send(text);
        }

        @Override
        public JsonObject next() {
          return c.next();
        }

        @Override
        public void close() {
          c.close();
        }
      };
    }
    return new SockJsConn(t == Transport.SOCKJS);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void everyLenientFormGetsExactlyOneBadJsonAndNothingElse(Transport transport) throws Exception {
    for (int from = 0; from < MALFORMED_PINGS.size(); from += PER_CONNECTION) {
      List<String> group =
          MALFORMED_PINGS.subList(from, Math.min(MALFORMED_PINGS.size(), from + PER_CONNECTION));
      try (Conn c = open(transport)) {
        c.send("{\"type\":\"hello\"}");
        assertThat(c.next().getString("type")).isEqualTo("welcome");
        for (String frame : group) {
          c.send(frame);
        }
        c.send("{\"type\":\"ping\",\"id\":\"end\"}");
        for (String frame : group) {
          JsonObject m = c.next();
          assertThat(m.getString("type")).as("answer to %s", frame).isEqualTo("error");
          assertThat(m.getString("code")).as("answer to %s", frame).isEqualTo("bad-json");
        }
        // Had any frame been answered twice, or as a ping, this would not be the next message.
        JsonObject end = c.next();
        assertThat(end.getString("type")).as("%s", end).isEqualTo("pong");
        assertThat(end.getString("id")).isEqualTo("end");
      }
    }
  }

  @Test
  void strictJsonIsStillUnderstoodWithWhitespaceAndEscapes() throws Exception {
    try (Conn c = open(Transport.WEBSOCKET)) {
      c.send(" \r\n\t{ \"type\" : \"hello\" } \n");
      assertThat(c.next().getString("type")).isEqualTo("welcome");
      c.send("{\"type\":\"p\\u0069ng\",\"id\":\"\\\"\\/\\t\"}");
      JsonObject pong = c.next();
      assertThat(pong.getString("type")).isEqualTo("pong");
      assertThat(pong.getString("id")).isEqualTo("\"/\t");
    }
  }

  @Test
  void everyLenientPublishBodyIsA400BadJsonAndAppliesNothing() {
    for (String body : MALFORMED_CHANGES) {
      HttpResponse<String> r = server.request("POST", "/api/topics/strict/changes", body);
      assertThat(r.statusCode()).as("%s -> %s", body, r.body()).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code"))
          .as("%s", body)
          .isEqualTo("bad-json");
    }
    assertThat(server.request("GET", "/api/topics/strict", null).statusCode())
        .as("no publish was applied, so the topic does not exist")
        .isEqualTo(404);
    HttpResponse<String> ok =
        server.request(
            "POST",
            "/api/topics/strict/changes",
            " {\"op\":\"INSERT\",\"key\":\"a\",\"row\":{}}\n");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
  }

  /**
   * A SockJS client over its websocket transport: framed ({@code o}, {@code a[...]}, {@code c[..]};
   * what browsers use) or raw ({@code /sockjs/websocket}, one message per frame).
   */
  private static final class SockJsConn implements Conn {
    private final boolean framed;
    private final WebSocketClient client;
    private final WebSocket ws;
    private final LinkedBlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();

    SockJsConn(boolean framed) {
      this.framed = framed;
      client = clients.createWebSocketClient();
      String uri =
          framed
              ? "/sockjs/000/" + Long.toHexString(System.nanoTime()) + "/websocket"
              : "/sockjs/websocket";
      ws =
          client
              .connect(
                  new WebSocketConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(server.port())
                      .setURI(uri))
              .await();
      ws.textMessageHandler(this::onFrame);
    }

    private void onFrame(String frame) {
      if (!framed) {
        messages.add(new JsonObject(frame));
      } else if (frame.charAt(0) == 'a') {
        for (Object m : new JsonArray(frame.substring(1))) {
          messages.add(new JsonObject((String) m));
        }
      }
    }

    @Override
    public void send(String text) {
      ws.writeTextMessage(framed ? new JsonArray().add(text).encode() : text).await();
    }

    @Override
    public JsonObject next() throws InterruptedException {
      JsonObject m = messages.poll(20, TimeUnit.SECONDS);
      assertThat(m).as("a message within 20 s").isNotNull();
      return m;
    }

    @Override
    public void close() {
      ws.close();
      client.close();
    }
  }
}
