package io.slipstream.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.time.Clock;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.connection.RemoteConnections;
import io.slipstream.server.eventbus.Lifecycle;
import io.slipstream.server.testing.StallingSessionStore;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SockJS transport over a real SockJS websocket session: the same protocol, protocol-level
 * heartbeats, and slow-consumer handling although SockJS itself never reports a full queue.
 */
class SockJsIT {

  private TestServer server;
  private final Vertx clients = Vertx.vertx();

  @AfterEach
  void stop() {
    clients.close().await();
    server.close();
  }

  /** A SockJS client speaking the websocket transport's framing: o, h, a[...], c[code,reason]. */
  static final class SockJsClient {
    final WebSocketClient client;
    final WebSocket ws;
    final LinkedBlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    volatile boolean answerPings = true;

    SockJsClient(Vertx vertx, int port) {
      // SockJS packs the messages of one write turn into one frame (up to the transport's
      // in-flight bound plus JSON escaping, over 64 KiB): the client must take such frames.
      client =
          vertx.createWebSocketClient(
              new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
      // Handlers before connecting: a refused socket may be closed by the time connect returns.
      ClientWebSocket socket = client.webSocket();
      socket.textMessageHandler(this::onFrame);
      ws = socket;
      socket
          .connect(
              new WebSocketConnectOptions()
                  .setHost("127.0.0.1")
                  .setPort(port)
                  .setURI("/sockjs/123/" + Long.toHexString(System.nanoTime()) + "/websocket"))
          .await();
    }

    private void onFrame(String frame) {
      switch (frame.charAt(0)) {
        case 'a':
          for (Object o : new JsonArray(frame.substring(1))) {
            JsonObject m = new JsonObject((String) o);
            if (answerPings && "ping".equals(m.getString("type"))) {
              send(new JsonObject().put("type", "pong"));
              continue;
            }
            if ("close".equals(m.getString("type"))) {
              closed.complete(m.getInteger("code"));
              continue;
            }
            messages.add(m);
          }
          break;
        case 'c':
          // Vert.x's SockJS always says 3000 here: the code came in the close message before.
          closed.complete(-new JsonArray(frame.substring(1)).getInteger(0));
          break;
        default:
          break; // o (open) and h (transport heartbeat)
      }
    }

    void send(JsonObject m) {
      ws.writeTextMessage(new JsonArray().add(m.encode()).encode());
    }

    JsonObject expect(String type) throws InterruptedException {
      JsonObject m = messages.poll(20, TimeUnit.SECONDS);
      assertThat(m).as("a %s message", type).isNotNull();
      assertThat(m.getString("type")).as("%s", m).isEqualTo(type);
      return m;
    }
  }

  @Test
  void carriesTheSameProtocol() throws Exception {
    server = TestServer.start();
    server.publish("s", new JsonObject().put("op", "INSERT").put("key", "a").put("row", new JsonObject().put("v", 1)));
    SockJsClient c = new SockJsClient(clients, server.port());
    c.send(new JsonObject().put("type", "hello"));
    assertThat(c.expect("welcome").getBoolean("resumed")).isFalse();
    c.send(new JsonObject().put("type", "subscribe").put("topic", "s").put("id", 1));
    assertThat(c.expect("subscribed").getLong("seq")).isEqualTo(1);
    c.expect("snapshot");
    assertThat(c.expect("change").getJsonObject("row").getInteger("v")).isEqualTo(1);
    c.expect("snapshot");
    server.publish("s", new JsonObject().put("op", "DELETE").put("key", "a"));
    JsonObject del = c.expect("change");
    assertThat(del.getLong("seq")).isEqualTo(2);
    c.send(new JsonObject().put("type", "ping").put("id", "x"));
    assertThat(c.expect("pong").getString("id")).isEqualTo("x");
    assertThat(server.connections().getJsonObject(0).getString("transport")).isEqualTo("sockjs");
  }

  /** Regression: the raw transport sent the protocol's JSON as binary frames. */
  @Test
  void theRawSockJsWebSocketCarriesTextFrames() throws Exception {
    server = TestServer.start();
    WebSocketClient client = clients.createWebSocketClient();
    WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
        .setURI("/sockjs/websocket")).await();
    LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Object> binaries = new LinkedBlockingQueue<>();
    ws.textMessageHandler(texts::add);
    ws.binaryMessageHandler(binaries::add);
    ws.writeTextMessage("{\"type\":\"hello\"}");
    String welcome = texts.poll(10, TimeUnit.SECONDS);
    assertThat(welcome).isNotNull();
    assertThat(new JsonObject(welcome).getString("type")).isEqualTo("welcome");
    assertThat(binaries).isEmpty();
  }

  @Test
  void aSocketOpenedWhileDrainingIsToldToGoElsewhereWith1012() throws Exception {
    server = TestServer.start();
    server.server().drain().await();
    SockJsClient c = new SockJsClient(clients, server.port());
    assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1012);
  }

  @Test
  void aClientThatNeverAnswersPingsIsClosedWith4008() throws Exception {
    server = TestServer.start(SlipstreamConfig.defaults().toBuilder().eventLoops(2).heartbeatMs(100).heartbeatTimeoutMs(500).build());
    SockJsClient c = new SockJsClient(clients, server.port());
    c.answerPings = false;
    c.send(new JsonObject().put("type", "hello"));
    c.expect("welcome");
    assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4008);
  }

  @Test
  void aSlowSockJsClientIsBoundedDroppedAndClosedWith4001() throws Exception {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .sustainMs(1000)
                .buffer(new BufferLimits(1000, BufferLimits.DEFAULT_MAX_BYTES, 0.8, 0.95, DropPolicy.DROP_OLDEST))
                .build());
    LinkedBlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    server.vertx().eventBus().<JsonObject>consumer(Lifecycle.ADDRESS, m -> events.add(m.body())).completion().await();
    SockJsClient c = new SockJsClient(clients, server.port());
    c.send(new JsonObject().put("type", "hello"));
    c.expect("welcome");
    c.send(new JsonObject().put("type", "subscribe").put("topic", "f"));
    c.expect("subscribed");
    c.expect("snapshot");
    c.expect("snapshot");
    c.ws.pause();
    String pad = "y".repeat(1000);
    int maxPending = 0;
    for (int batch = 0; batch < 1000 && server.server().connections().size() > 0; batch++) {
      JsonArray changes = new JsonArray();
      for (int i = 0; i < 50; i++) {
        changes.add(new JsonObject().put("op", "UPDATE").put("key", "k" + i).put("row", new JsonObject().put("p", pad)));
      }
      server.publish("f", changes);
      if (batch % 10 == 0) {
        for (Object o : server.connections()) {
          maxPending = Math.max(maxPending, ((JsonObject) o).getInteger("pending"));
        }
      }
    }
    assertThat(server.server().connections().size()).as("slow SockJS client closed").isZero();
    assertThat(maxPending).isLessThanOrEqualTo(1000);
    // Lifecycle events travel the event bus: the slot can be free before they arrive here.
    List<String> seen = new ArrayList<>();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!seen.contains("slow") && System.nanoTime() < until) {
      JsonObject e = events.poll(100, TimeUnit.MILLISECONDS);
      if (e != null) {
        seen.add(e.getString("event"));
      }
    }
    assertThat(seen).as("lifecycle events").contains("warned", "dropping", "slow");
    c.ws.resume();
    // The close message cannot overtake what SockJS already queued for a stuck socket, and
    // Vert.x's SockJS close frame always says 3000: either way the client reconnects with backoff.
    assertThat(c.closed.get(20, TimeUnit.SECONDS)).isIn(4001, -3000);
  }

  /**
   * Contract 1.1 §7 on SockJS: the token a client resumed with works until the client answers, with
   * a {@code pong} message, the {@code ping} that follows its welcome; after that it gives a fresh
   * session. Each resume here takes the session over from the one before, still open.
   */
  @Test
  void theTokenAResumeUsedIsRetiredOnceTheClientAnswersThePingAfterItsWelcome() throws Exception {
    server = TestServer.startWithoutHeartbeats(); // the only ping: the one after the welcome
    SockJsClient first = new SockJsClient(clients, server.port());
    first.send(new JsonObject().put("type", "hello"));
    JsonObject w1 = first.expect("welcome");
    JsonObject resume = new JsonObject().put("type", "hello").put("resume", w1.getString("resume"));

    SockJsClient silent = new SockJsClient(clients, server.port());
    silent.answerPings = false;
    silent.send(resume);
    assertThat(silent.expect("welcome").getBoolean("resumed")).isTrue();
    assertThat(silent.expect("ping").getString("type")).as("the ping after the welcome").isEqualTo("ping");

    SockJsClient answering = new SockJsClient(clients, server.port());
    answering.send(resume);
    assertThat(answering.expect("welcome").getBoolean("resumed"))
        .as("no pong came for the welcome before: the token still resumes")
        .isTrue();
    for (int i = 1; i <= 2; i++) {
      // The second ping is sent after the client answered the server's ping.
      answering.send(new JsonObject().put("type", "ping").put("id", i));
      assertThat(answering.expect("pong").getInteger("id")).isEqualTo(i);
    }

    SockJsClient late = new SockJsClient(clients, server.port());
    late.send(resume);
    JsonObject w4 = late.expect("welcome");
    assertThat(w4.getBoolean("resumed")).as("the pong retired the token").isFalse();
    assertThat(w4.getString("session")).isNotEqualTo(w1.getString("session"));
  }

  /**
   * Contract 1.1 §8: no heartbeat before the welcome. On SockJS a heartbeat is a {@code ping}
   * message; one sent while the hello waited for the session store would be answered, its pong
   * held until the welcome and then read as the answer to the resume's own ping (§7), retiring the
   * old token although the client might never get that welcome.
   */
  @Test
  void noPingComesBeforeTheWelcomeWhileTheSessionStoreAnswersTheHello() throws Exception {
    StallingSessionStore store = new StallingSessionStore(60_000, "local");
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(2).heartbeatMs(50).build(),
            Clock.system(),
            store,
            RemoteConnections.UNREACHABLE);
    SockJsClient c = new SockJsClient(clients, server.port());
    c.answerPings = false;
    c.send(new JsonObject().put("type", "hello"));
    StallingSessionStore.PendingOpen open = store.nextOpen();
    // Ten heartbeat intervals with the hello unanswered: the absence of a ping is the point.
    assertThat(c.messages.poll(500, TimeUnit.MILLISECONDS))
        .as("a message before the welcome")
        .isNull();
    open.release();
    c.expect("welcome");
    c.expect("ping"); // heartbeats from now on
  }
}
