package io.slipstream.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.slipstream.core.message.CloseCode;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.server.protocol.ChangeFrames;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WebSocketTransport} over a real upgrade through a Vert.x router (as {@code ServerVerticle}
 * does it) and real WebSocket clients on loopback: frames written straight into the channel arrive
 * whole, in order, and one change's shared frame reaches every socket.
 *
 * <p>Regression: until the speed work the transport took the channel from the context of Vert.x's
 * HTTP handler, which the upgrade replaces; it saw that context removed and sent every frame
 * through {@code ServerWebSocket.writeFrame} (a frame object, a promise and a flush per message).
 * {@link #writesIntoTheChannelAfterARouterUpgrade} fails on that code.
 */
class WebSocketTransportIT {

  /** The tests also run on io_uring ({@link WebSocketTransportIoUringIT}). */
  private Vertx vertx;

  /** The clients' own Vert.x, on epoll: only the server's transport varies. */
  private Vertx clients;

  private HttpServer server;
  private WebSocketClient client;
  private final WireFrames frames = new WireFrames();
  private final LinkedBlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();

  /** A transport and the context of its socket, where it must be used. */
  private record Accepted(WebSocketTransport transport, Context context) {}

  /** The Vert.x under test: epoll, as the server runs by default. */
  protected Vertx newVertx() {
    return Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
  }

  @BeforeEach
  void start() {
    vertx = newVertx();
    Router router = Router.router(vertx);
    router
        .get("/ws")
        .handler(
            rc -> {
              ChannelHandlerContext before =
                  WebSocketTransport.channelOf(rc.request().connection());
              rc.request()
                  .toWebSocket()
                  .onSuccess(
                      ws ->
                          accepted.add(
                              new Accepted(
                                  WebSocketTransport.attach(ws, before, frames, listener()),
                                  Vertx.currentContext())));
            });
    server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(router)
            .listen()
            .await();
    clients = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    client =
        clients.createWebSocketClient(
            new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
  }

  @AfterEach
  void stop() {
    clients.close().await();
    vertx.close().await();
    frames.clear();
  }

  private static TransportListener listener() {
    return new TransportListener() {
      @Override
      public void onText(String text) {}

      @Override
      public void onBinary(int length) {}

      @Override
      public void onHeard() {}

      @Override
      public void onClosed(int code, String reason) {}
    };
  }

  /** A client that queues every text message it receives. */
  private final class Peer {
    final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<Short> closed = new CompletableFuture<>();
    final WebSocketTransport transport;
    final Context context;

    Peer() throws InterruptedException {
      WebSocket ws = client.connect(server.actualPort(), "127.0.0.1", "/ws").await();
      ws.textMessageHandler(texts::add);
      ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
      Accepted a = accepted.poll(10, TimeUnit.SECONDS);
      assertThat(a).isNotNull();
      transport = a.transport();
      context = a.context();
    }

    String next() throws InterruptedException {
      String t = texts.poll(10, TimeUnit.SECONDS);
      assertThat(t).as("a message within 10 s").isNotNull();
      return t;
    }
  }

  private static ChangeEvent change(long seq, String row) {
    return new ChangeEvent(
        "t", "e1", seq, ChangeOp.UPDATE, "k" + seq, row, 1L, ChangeFrames.INSTANCE);
  }

  /** Runs {@code action} on the peer's socket's event loop, where its transport lives. */
  private static void onLoop(Peer p, Runnable action) {
    p.context.runOnContext(v -> action.run());
  }

  @Test
  void writesIntoTheChannelAfterARouterUpgrade() throws Exception {
    Peer p = new Peer();
    assertThat(p.transport.writesDirect()).isTrue();
  }

  @Test
  void oneChangeFrameReachesEverySocketWholeAndInOrder() throws Exception {
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      peers.add(new Peer());
    }
    // Sizes around the header's length forms: 7-bit, 16-bit and 64-bit payload lengths.
    ChangeEvent small = change(1, "{}");
    ChangeEvent medium = change(2, "{\"p\":\"" + "x".repeat(300) + "\"}");
    ChangeEvent large = change(3, "{\"p\":\"" + "y".repeat(70_000) + "\"}");
    // One server, one context: every socket is on the same loop and shares the frames.
    for (Peer p : peers) {
      assertThat(p.transport.writesDirect()).isTrue();
      assertThat(((ContextInternal) p.context).nettyEventLoop())
          .isSameAs(((ContextInternal) peers.get(0).context).nettyEventLoop());
    }
    onLoop(
        peers.get(0),
        () -> {
          for (Peer p : peers) {
            p.transport.write("{\"type\":\"hello\"}".getBytes(StandardCharsets.UTF_8));
            p.transport.writeChange(small);
            p.transport.writeChange(medium);
            p.transport.writeChange(large);
            p.transport.flush();
          }
        });
    for (Peer p : peers) {
      assertThat(p.next()).isEqualTo("{\"type\":\"hello\"}");
      assertThat(p.next()).isEqualTo(new String(small.frame(), StandardCharsets.UTF_8));
      assertThat(p.next()).isEqualTo(new String(medium.frame(), StandardCharsets.UTF_8));
      assertThat(p.next()).isEqualTo(new String(large.frame(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void batchIsOneFrameHoldingAJsonArray() throws Exception {
    Peer p = new Peer();
    onLoop(
        p,
        () -> {
          p.transport.writeBatch(List.of("{\"a\":1}".getBytes(), "{\"b\":2}".getBytes()));
          p.transport.flush();
        });
    assertThat(p.next()).isEqualTo("[{\"a\":1},{\"b\":2}]");
  }

  @Test
  void closeSendsWhatWasWrittenThenTheCloseCode() throws Exception {
    Peer p = new Peer();
    ChangeEvent e = change(1, "{\"v\":1}");
    onLoop(
        p,
        () -> {
          p.transport.writeChange(e);
          p.transport.close(CloseCode.SLOW_CONSUMER);
        });
    assertThat(p.next()).isEqualTo(new String(e.frame(), StandardCharsets.UTF_8));
    assertThat(p.closed.get(10, TimeUnit.SECONDS))
        .isEqualTo((short) CloseCode.SLOW_CONSUMER.code());
  }
}
