package io.slipstream.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.AccessConfig;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RawSockJs;
import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the handshakes of {@code /ws} and {@code /sockjs} refuse (docs/protocol.md §1 and §9): an
 * {@code Origin} outside {@code allowedOrigins} gets HTTP 403 {@code forbidden} with a JSON body on
 * both endpoints (every SockJS request, before a session exists); a remote address at {@code
 * maxConnectionsPerAddress} gets HTTP 429 {@code too-many-connections} on {@code /ws}, and over
 * SockJS (whose socket already exists) a {@code close} message with 1008; a slot given back is
 * usable again.
 */
class HandshakeLimitsIT {

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(AccessConfig access) {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(1).access(access).build());
  }

  /** A raw HTTP response: status, headers (lower-case names), body. */
  private record Answer(int status, Map<String, String> headers, String body) {}

  /**
   * Sends a WebSocket upgrade of {@code path} with {@code origin} (null: none) and reads the answer
   * head and body.
   */
  private Answer upgrade(String path, String origin) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      s.setSoTimeout(10_000);
      String req =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + server.port()
              + "\r\n"
              + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              + (origin == null ? "" : "Origin: " + origin + "\r\n")
              + "\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      int status = Integer.parseInt(line(in).split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      String body = "";
      if (headers.containsKey("content-length")) {
        byte[] b = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        body = new String(b, StandardCharsets.UTF_8);
      }
      return new Answer(status, headers, body);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  private static JsonObject error(String body) {
    return new JsonObject(body).getJsonObject("error");
  }

  @Test
  void aForeignOriginGets403OnBothEndpointsAndAListedOneOrNoneIsAccepted() throws Exception {
    start(
        AccessConfig.DEFAULTS.withAllowedOrigins(
            List.of("https://*.example.com", "http://localhost:8080")));

    Answer ws = upgrade("/ws", "https://evil.example.net");
    assertThat(ws.status()).isEqualTo(403);
    assertThat(ws.headers().get("content-type")).startsWith("application/json");
    assertThat(error(ws.body()).getString("code")).isEqualTo("forbidden");
    assertThat(error(ws.body()).getString("message")).contains("https://evil.example.net");

    Answer sockJsWs = upgrade("/sockjs/000/s1/websocket", "https://evil.example.net");
    assertThat(sockJsWs.status()).isEqualTo(403);
    assertThat(error(sockJsWs.body()).getString("code")).isEqualTo("forbidden");
    HttpResponse<String> info =
        server.request("GET", "/sockjs/info", null, "Origin", "https://evil.example.net");
    assertThat(info.statusCode()).isEqualTo(403);
    assertThat(error(info.body()).getString("code")).isEqualTo("forbidden");

    // Listed (a wildcard, any case), and without an Origin (not a browser): accepted.
    assertThat(upgrade("/ws", "https://App.Example.com").status()).isEqualTo(101);
    assertThat(upgrade("/ws", "http://localhost:8080").status()).isEqualTo(101);
    assertThat(upgrade("/ws", null).status()).isEqualTo(101);
    assertThat(upgrade("/sockjs/000/s2/websocket", "https://a.example.com").status())
        .isEqualTo(101);
    assertThat(
            server
                .request("GET", "/sockjs/info", null, "Origin", "http://localhost:8080")
                .statusCode())
        .isEqualTo(200);
    // Not a prefix match: the port is part of the origin.
    assertThat(upgrade("/ws", "http://localhost:8081").status()).isEqualTo(403);
  }

  @Test
  void withoutAnAllowListEveryOriginIsAccepted() throws Exception {
    start(AccessConfig.DEFAULTS);
    assertThat(upgrade("/ws", "https://anywhere.example").status()).isEqualTo(101);
  }

  @Test
  void anAddressAtItsLimitGets429OnWsAndAGivenBackSlotIsReused() throws Exception {
    start(AccessConfig.DEFAULTS.withMaxConnectionsPerAddress(2));
    RecordingClient one = server.client();
    one.hello();
    RecordingClient two = server.client();
    two.hello();

    Answer third = upgrade("/ws", null);
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.headers().get("retry-after")).isEqualTo("1");
    assertThat(error(third.body()).getString("code")).isEqualTo("too-many-connections");
    assertThat(error(third.body()).getString("message")).contains("maxConnectionsPerAddress (2)");

    one.close();
    long deadline = System.currentTimeMillis() + 10_000;
    while (server.connections().size() > 1 && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    RecordingClient again = server.client();
    assertThat(again.hello().getString("session")).isNotBlank();
    two.close();
    again.close();
  }

  @Test
  void overSockJsAnAddressAtItsLimitIsClosedWith1008() throws Exception {
    start(AccessConfig.DEFAULTS.withMaxConnectionsPerAddress(1));
    RecordingClient held = server.client();
    held.hello();
    try (RawSockJs refused = RawSockJs.connect(server.port())) {
      RawWebSocket.Frame f = refused.read();
      JsonObject close = new JsonObject(f.text());
      assertThat(close.getString("type")).isEqualTo("close");
      assertThat(close.getInteger("code")).isEqualTo(1008);
      assertThat(close.getString("reason")).contains("too many connections");
    }
    held.close();
  }
}
