package io.slipstream.server.bootstrap;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.connection.Connection;
import io.slipstream.server.connection.ConnectionServices;
import io.slipstream.server.http.HttpApi;
import io.slipstream.server.hub.Hub;
import io.slipstream.server.protocol.ErrorJson;
import io.slipstream.server.protocol.Outbound;
import io.slipstream.core.message.CloseCode;
import io.slipstream.server.transport.SockJsTransport;
import io.slipstream.server.transport.WebSocketTransport;
import io.slipstream.server.transport.WireFrames;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/**
 * One event loop's share of the edge: an HTTP server on the shared port (Vert.x spreads
 * connections over the instances), its router, and the {@link Hub} that feeds its connections.
 *
 * <p>Confined to its event loop; every connection it accepts lives on the same loop.
 */
final class ServerVerticle extends VerticleBase {

  private final ConnectionServices services;
  private final BooleanSupplier serving;
  private final int port;
  private HttpServer server;

  /** The live-change WebSocket frames shared by this loop's sockets (transport/WireFrames). */
  private final WireFrames frames = new WireFrames();

  /** {@code GET /api/cluster} in a cluster, else null. */
  private final Handler<RoutingContext> clusterInfo;

  ServerVerticle(
      ConnectionServices services,
      BooleanSupplier serving,
      int port,
      Handler<RoutingContext> clusterInfo) {
    this.clusterInfo = clusterInfo;
    this.services = services;
    this.serving = serving;
    this.port = port;
  }

  /** The port this instance listens on (the actual one when configured as 0). */
  int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    SlipstreamConfig config = services.config();
    Hub hub = new Hub(vertx.eventBus());
    Router router = Router.router(vertx);
    router.get("/ws").handler(rc -> upgrade(rc, hub));
    mountSockJs(router, hub, config);
    mountStatic(router);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(services.metrics().registry()));
    new HttpApi(vertx, config, services.topics(), services.connections(), serving, clusterInfo)
        .mount(router);
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.host())
            .setPort(port)
            // Netty drops a frame over its limit without a close frame (the client sees 1006), so
            // its limit sits above ours and the connection itself closes 1009 at maxFrameBytes.
            .setMaxWebSocketFrameSize(nettyFrameLimit(config.maxFrameBytes()))
            .setMaxWebSocketMessageSize(nettyFrameLimit(config.maxFrameBytes()))
            // Per-socket deflate costs CPU per connection and hides the true queued bytes.
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false)
            .setWebSocketClosingTimeout(5)
            // HTTP/1.1 only (docs/protocol.md §10): an h2c upgrade hung java.net.http clients.
            .setHttp2ClearTextEnabled(false);
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    // The table's pooled buffers go back to the pool; frames still queued keep their own refs.
    frames.clear();
    return Future.succeededFuture();
  }

  /** The hard limit Netty enforces: four times ours, at least 1 MiB. */
  static int nettyFrameLimit(int maxFrameBytes) {
    return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(1 << 20, 4L * maxFrameBytes));
  }

  private void mountSockJs(Router router, Hub hub, SlipstreamConfig config) {
    SockJSHandlerOptions options =
        new SockJSHandlerOptions()
            .setInsertJSESSIONID(false)
            // SockJS's transport heartbeat keeps proxies from idling the socket out; liveness of
            // the client itself is our protocol-level ping/pong.
            .setHeartbeatInterval(Math.min(25_000, config.heartbeatMs()))
            .setSessionTimeout(Math.max(5_000, config.heartbeatTimeoutMs()))
            .setLibraryURL("/webjars/sockjs-client/1.6.1/dist/sockjs.min.js");
    SockJSHandler sockJs = SockJSHandler.create(vertx, options);
    // The sends (xhr_send, jsonp_send) carry the only bodies; bounded like WebSocket frames.
    router
        .post("/sockjs/*")
        .handler(BodyHandler.create(false).setBodyLimit(nettyFrameLimit(config.maxFrameBytes())));
    // vertx-web 5.0.7 closes the TCP connection after every response of the receiving transports
    // (their listeners' close() ends the response, then calls connection().close()), but the
    // response does not say so. A keep-alive client puts its next request on that connection as
    // soon as the response has ended, and if it gets there before the FIN the request dies
    // unanswered: sockjs-client in Node 20 sends its first message two microtasks after onopen on
    // the poll's connection and closes 1006, and a POST is never retried. Saying Connection:
    // close, as HTTP/1.1 requires of a server that closes (RFC 9112 §9.6), keeps clients and
    // proxies off the dying connection; it costs nothing, the connection closes either way.
    router
        // Non-capturing: a group would become the request's param0, SockJS's session id.
        .routeWithRegex("/sockjs/[^/.]+/[^/.]+/(?:xhr|xhr_streaming|eventsource|htmlfile|jsonp)")
        .method(HttpMethod.POST)
        .method(HttpMethod.GET)
        .handler(
            rc -> {
              rc.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
              rc.next();
            });
    router
        .route("/sockjs/*")
        .subRouter(
            sockJs.socketHandler(
                socket -> {
                  if (!serving.getAsBoolean()) {
                    refuse(socket, CloseCode.RESTARTING);
                    return;
                  }
                  Connection connection = Connection.open(vertx, services, hub);
                  if (connection == null) {
                    // Full: like a draining node, the client should go elsewhere and resume.
                    refuse(socket, CloseCode.RESTARTING);
                    return;
                  }
                  connection.start(SockJsTransport.attach(socket, connection));
                }));
  }

  /** Closes a SockJS socket before it starts; the code travels in a {@code close} message. */
  private static void refuse(io.vertx.ext.web.handler.sockjs.SockJSSocket socket, CloseCode code) {
    socket.write(io.vertx.core.buffer.Buffer.buffer(Outbound.close(code)));
    socket.close(code.code(), code.reason());
  }

  private static void mountStatic(Router router) {
    router
        .get("/slipstream.js")
        .handler(
            rc ->
                rc.response()
                    // Browsers load ES modules only with a JavaScript type.
                    .putHeader("content-type", "text/javascript; charset=utf-8")
                    .sendFile("webroot/slipstream.js"));
    router
        .get("/slipstream.d.ts")
        .handler(
            rc ->
                rc.response()
                    .putHeader("content-type", "application/typescript; charset=utf-8")
                    .sendFile("webroot/slipstream.d.ts"));
    router.get("/examples/*").handler(StaticHandler.create("webroot/examples"));
    router.get("/examples").handler(rc -> rc.redirect("/examples/"));
    router.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
  }

  private void upgrade(RoutingContext rc, Hub hub) {
    if (!rc.request().canUpgradeToWebSocket()) {
      // Refused before a slot is reserved: a request that cannot become a socket costs nothing.
      refuse(
          rc,
          400,
          ErrorCode.BAD_MESSAGE,
          "GET /ws is a WebSocket endpoint: the request needs Upgrade: websocket");
      return;
    }
    if (!serving.getAsBoolean()) {
      refuse(rc, 503, ErrorCode.UNAVAILABLE, "the server is starting or draining");
      return;
    }
    Connection connection = Connection.open(vertx, services, hub);
    if (connection == null) {
      refuse(rc, 503, ErrorCode.UNAVAILABLE, "the server holds its maximum number of connections");
      return;
    }
    io.netty.channel.ChannelHandlerContext channel =
        WebSocketTransport.channelOf(rc.request().connection());
    rc.request()
        .toWebSocket()
        .onSuccess(
            ws -> {
              WebSocketTransport transport;
              try {
                transport = WebSocketTransport.attach(ws, channel, frames, connection);
              } catch (IllegalStateException closedMeanwhile) {
                // The socket closed between handshake and attach (vertx5.md §10.6).
                connection.abandon();
                return;
              }
              connection.start(transport);
            })
        .onFailure(
            err -> {
              // The slot was reserved before the handshake: a failed one gives it back.
              connection.abandon();
              if (!rc.response().headWritten() && !rc.response().closed()) {
                String why = "WebSocket handshake failed: " + err.getMessage();
                refuse(rc, 400, ErrorCode.BAD_MESSAGE, why);
              }
            });
  }

  private static void refuse(RoutingContext rc, int status, ErrorCode code, String message) {
    rc.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(ErrorJson.body(code, message));
  }
}
