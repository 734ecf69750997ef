package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: a {@code /ws} request whose upgrade failed leaked a connection slot. {@code Connection.open}
 * reserved the slot before {@code toWebSocket()}, and giving it back only decremented for a
 * connection that had been added, which a failed upgrade never is. With {@code maxConnections=2},
 * two plain {@code GET /ws} (no {@code Upgrade} header) made every later WebSocket get 503 while no
 * connection was open: a denial of service that needs no credentials.
 *
 * <p>Now a request that is no upgrade is refused with 400 and a JSON error before any slot is
 * reserved, and a handshake that fails later gives its slot back.
 */
class UpgradeSlotLeakIT {

  private TestServer server;
  private RecordingLifecycle events;

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(2).maxConnections(2).build());
    events = RecordingLifecycle.on(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void plainGetsOfWsAreRefusedWith400AndLeaveEverySlotFree() throws IOException {
    for (int i = 0; i < 4; i++) {
      Answer a = exchange("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      assertThat(a.status).as("plain GET /ws #%d: %s", i, a.head).isEqualTo(400);
      assertThat(a.head.toLowerCase()).contains("content-type: application/json");
      JsonObject error = new JsonObject(a.body).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("bad-message");
      assertThat(error.getString("message")).contains("Upgrade");
    }
    assertBothSlotsServeWebSockets();
  }

  @Test
  void handshakesThatFailAfterTheSlotWasReservedGiveItBack() throws IOException {
    for (int i = 0; i < 4; i++) {
      // An upgrade without Sec-WebSocket-Key/Version: it asks for a WebSocket, and the
      // handshake itself fails.
      Answer a =
          exchange(
              "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\n\r\n");
      assertThat(a.status).as("broken handshake #%d: %s", i, a.head).isBetween(400, 499);
    }
    assertBothSlotsServeWebSockets();
  }

  /** Both slots open real WebSockets, and the bound still holds for a third. */
  private void assertBothSlotsServeWebSockets() throws IOException {
    try (RecordingClient first = server.client();
        RecordingClient second = server.client()) {
      assertThat(first.hello().getBoolean("resumed")).isFalse();
      assertThat(second.hello().getBoolean("resumed")).isFalse();
      assertThat(server.server().connections().size()).isEqualTo(2);
      Answer third =
          exchange(
              "GET /ws HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\n"
                  + "Upgrade: websocket\r\n"
                  + "Connection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Version: 13\r\n\r\n");
      assertThat(third.status).as("a third socket beyond maxConnections").isEqualTo(503);
    }
    // And once they are gone (the server releases a slot before it announces the disconnect),
    // the slots are free again.
    events.await("disconnected");
    events.await("disconnected");
    assertThat(server.server().connections().size()).isZero();
    try (RawWebSocket again = RawWebSocket.connect(server.port(), "/ws")) {
      again.send("{\"type\":\"hello\"}");
      assertThat(new JsonObject(again.read().text()).getString("type")).isEqualTo("welcome");
    }
  }

  /** One HTTP/1.1 exchange over a fresh socket: status, head and body as the server sent them. */
  private Answer exchange(String request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String head = readHead(in);
      int status = Integer.parseInt(head.split(" ", 3)[1]);
      int length = contentLength(head);
      byte[] body = in.readNBytes(Math.max(0, length));
      return new Answer(status, head, new String(body, StandardCharsets.UTF_8));
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int c;
    while (matched < 4 && (c = in.read()) != -1) {
      head.write(c);
      matched = (c == '\r' || c == '\n') && "\r\n\r\n".charAt(matched) == c ? matched + 1 : 0;
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    return 0;
  }

  private record Answer(int status, String head, String body) {}
}
