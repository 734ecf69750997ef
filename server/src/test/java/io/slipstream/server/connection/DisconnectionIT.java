package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.eventbus.Lifecycle;
import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3: a client close, a server close with a code, heartbeat death and an abrupt TCP loss all
 * end in the same state: the connection released, one {@code disconnected} event, and the session
 * suspended with its subscription, ready to resume.
 */
class DisconnectionIT {

  private TestServer server;
  private final LinkedBlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(2).heartbeatMs(100).heartbeatTimeoutMs(600).build());
    server.vertx().eventBus().<JsonObject>consumer(Lifecycle.ADDRESS, m -> events.add(m.body())).completion().await();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Opens a session subscribed to {@code t}; returns the welcome. */
  private JsonObject open(RawWebSocket ws) throws Exception {
    ws.send("{\"type\":\"hello\"}");
    JsonObject welcome = new JsonObject(ws.read().text());
    ws.send("{\"type\":\"subscribe\",\"topic\":\"t\"}");
    assertThat(new JsonObject(ws.read().text()).getString("type")).isEqualTo("subscribed");
    return welcome;
  }

  private JsonObject awaitDisconnected(String session) throws InterruptedException {
    while (true) {
      JsonObject e = events.poll(10, TimeUnit.SECONDS);
      assertThat(e).as("disconnected event").isNotNull();
      if ("disconnected".equals(e.getString("event")) && session.equals(e.getString("session"))) {
        return e;
      }
    }
  }

  /** The common end state, checked by resuming the session. */
  private void assertSuspendedAndResumable(JsonObject welcome) throws Exception {
    assertThat(server.server().connections().size()).isZero();
    String session = welcome.getString("session");
    assertThat(server.server().sessions().contains(session).toCompletableFuture().join()).isTrue();
    try (RawWebSocket again = RawWebSocket.connect(server.port(), "/ws")) {
      again.send(new JsonObject().put("type", "hello").put("resume", welcome.getString("resume")).encode());
      JsonObject w = new JsonObject(again.read().text());
      assertThat(w.getBoolean("resumed")).isTrue();
      // Behind a resume's welcome: the ping whose pong would retire the old token (§7).
      assertThat(new JsonObject(again.read().text()).getString("type")).isEqualTo("ping");
      JsonObject sub = new JsonObject(again.read().text());
      assertThat(sub.getString("type")).isEqualTo("subscribed");
      assertThat(sub.getString("topic")).isEqualTo("t");
    }
  }

  @Test
  void clientClose() throws Exception {
    RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws");
    JsonObject welcome = open(ws);
    ws.sendClose(1000);
    assertThat(awaitDisconnected(welcome.getString("session")).getString("reason")).contains("1000");
    ws.abort();
    assertSuspendedAndResumable(welcome);
  }

  @Test
  void serverCloseWithACode() throws Exception {
    RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws");
    JsonObject welcome = open(ws);
    for (int i = 0; i < 21; i++) {
      ws.send("{bad");
    }
    assertThat(awaitDisconnected(welcome.getString("session")).getString("reason")).isEqualTo("protocol violation");
    ws.abort();
    assertSuspendedAndResumable(welcome);
  }

  @Test
  void heartbeatDeath() throws Exception {
    RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws");
    JsonObject welcome = open(ws);
    // The raw client answers pings only while it reads; it stops reading now.
    assertThat(awaitDisconnected(welcome.getString("session")).getString("reason")).isEqualTo("heartbeat timeout");
    ws.abort();
    assertSuspendedAndResumable(welcome);
  }

  @Test
  void abruptTcpLoss() throws Exception {
    RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws");
    JsonObject welcome = open(ws);
    ws.abort();
    awaitDisconnected(welcome.getString("session"));
    assertSuspendedAndResumable(welcome);
  }
}
