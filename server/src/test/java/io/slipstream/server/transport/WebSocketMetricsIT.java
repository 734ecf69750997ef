package io.slipstream.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.slipstream.core.message.CloseCode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Vert.x's HTTP server gauges stay true for sockets the transport took over: Vert.x counts an open
 * connection and an open WebSocket at the upgrade and gives both back only when its own WebSocket
 * connection closes, which a taken-over socket never does ({@link VertxMeters}). Without the
 * transport giving them back, {@code vertx_http_server_active_connections} and {@code
 * vertx_http_server_active_ws_connections} count every socket ever opened; this test fails then.
 */
class WebSocketMetricsIT {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Vertx vertx;
  private Vertx clients;
  private HttpServer server;
  private final Semaphore closed = new Semaphore(0);
  private final LinkedBlockingQueue<Attached> attached = new LinkedBlockingQueue<>();

  private record Attached(WebSocketTransport transport, Context context) {}

  @BeforeEach
  void start() {
    vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
    WireFrames frames = new WireFrames();
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
                      ws -> {
                        attached.add(
                            new Attached(
                                WebSocketTransport.attach(ws, before, frames, listener(), 1 << 16, null),
                                Vertx.currentContext()));
                      });
            });
    server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(router)
            .listen()
            .await();
    clients = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    clients.close().await();
    vertx.close().await();
  }

  private TransportListener listener() {
    return new TransportListener() {
      @Override
      public void onText(String text) {}

      @Override
      public void onBinary(int length) {}

      @Override
      public void onHeard() {}

      @Override
      public void onClosed(int code, String reason) {
        closed.release();
      }
    };
  }

  @Test
  void theGaugesCountOpenSocketsAndGiveThemBackAtTheClose() throws Exception {
    WebSocketClient client = clients.createWebSocketClient();
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sockets.add(client.connect(server.actualPort(), "127.0.0.1", "/ws").await());
    }
    List<Attached> transports = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Attached a = attached.poll(10, TimeUnit.SECONDS);
      assertThat(a).isNotNull();
      transports.add(a);
    }
    assertThat(gauge("vertx.http.server.active.ws.connections").getAsDouble()).isEqualTo(5);
    assertThat(gauge("vertx.http.server.active.connections").getAsDouble()).isEqualTo(5);
    // Closed by the clients (3) and by the server (2): both paths give back.
    for (int i = 0; i < 3; i++) {
      sockets.get(i).close().await();
    }
    assertThat(closed.tryAcquire(3, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(gauge("vertx.http.server.active.ws.connections").getAsDouble()).isEqualTo(2);
    for (Attached a : transports.subList(3, 5)) {
      a.context().runOnContext(v -> a.transport().close(CloseCode.NORMAL));
    }
    assertThat(closed.tryAcquire(2, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(gauge("vertx.http.server.active.ws.connections").getAsDouble()).isZero();
    assertThat(gauge("vertx.http.server.active.connections").getAsDouble()).isZero();
  }

  private DoubleSupplier gauge(String name) {
    Gauge g = registry.find(name).gauge();
    assertThat(g).as(name).isNotNull();
    return g::value;
  }
}
