package io.slipstream.server.bootstrap;

import io.slipstream.core.message.CloseCode;
import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.qos.QosClass;
import io.slipstream.server.auth.OriginPolicy;
import io.slipstream.server.config.CompressionConfig;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.connection.Connection;
import io.slipstream.server.connection.ConnectionRegistry.Admission;
import io.slipstream.server.connection.ConnectionServices;
import io.slipstream.server.http.ClusterApi;
import io.slipstream.server.http.HttpApi;
import io.slipstream.server.hub.Hub;
import io.slipstream.server.protocol.ErrorJson;
import io.slipstream.server.protocol.Outbound;
import io.slipstream.server.transport.SockJsTransport;
import io.slipstream.server.transport.WebSocketTransport;
import io.slipstream.server.transport.WireFrames;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.micrometer.PrometheusScrapingHandler;
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
  private final OriginPolicy origins;
  private HttpServer server;

  /** The live-change WebSocket frames shared by this loop's sockets (transport/WireFrames). */
  private final WireFrames frames;

  /** {@code GET /api/cluster} and {@code /api/connections?all=true} in a cluster, else null. */
  private final ClusterApi clusterInfo;

  ServerVerticle(
      ConnectionServices services,
      BooleanSupplier serving,
      int port,
      ClusterApi clusterInfo) {
    this.clusterInfo = clusterInfo;
    this.services = services;
    this.serving = serving;
    this.port = port;
    this.origins = OriginPolicy.of(services.config().access().allowedOrigins());
    CompressionConfig c = services.config().compression();
    this.frames =
        new WireFrames(
            c.level(),
            c.minBytes(),
            offersDeflate(services.config()),
            services.metrics()::wsBytesWritten);
  }

  /**
   * Whether {@code /ws} accepts permessage-deflate at the upgrade: when {@code compression.enabled}
   * or any QoS class turns compression on, since the class is known only after the hello; a
   * connection whose class turns it off then sends plain frames over the negotiated extension.
   */
  static boolean offersDeflate(SlipstreamConfig config) {
    if (config.compression().enabled()) {
      return true;
    }
    for (QosClass c : config.qos().all()) {
      if (c.compression()) {
        return true;
      }
    }
    return false;
  }

  /** The port this instance listens on (the actual one when configured as 0). */
  int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    SlipstreamConfig config = services.config();
    Hub hub = new Hub(vertx);
    Router router = Router.router(vertx);
    router.get("/ws").handler(rc -> upgrade(rc, hub));
    mountSockJs(router, hub, config);
    mountStatic(router, config);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(services.metrics().registry()));
    HttpApi api =
        new HttpApi(vertx, config, services.topics(), services.connections(), serving, clusterInfo);
    api.mount(router);
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.host())
            .setPort(port)
            // Netty drops a frame over its limit without a close frame (the client sees 1006), so
            // its limit sits above ours and the connection itself closes 1009 at maxFrameBytes.
            .setMaxWebSocketFrameSize(nettyFrameLimit(config.maxFrameBytes()))
            .setMaxWebSocketMessageSize(nettyFrameLimit(config.maxFrameBytes()))
            // Off unless compression.enabled or a class turns it on: deflate costs CPU per
            // delivery. On, each message is compressed on its own by the transport (WireFrames),
            // below Netty's deflate encoder, so the level here only serves what Vert.x itself
            // would write.
            .setPerMessageWebSocketCompressionSupported(offersDeflate(config))
            .setWebSocketCompressionLevel(config.compression().level())
            .setWebSocketAllowServerNoContext(true)
            .setPerFrameWebSocketCompressionSupported(false)
            .setWebSocketClosingTimeout(5)
            // HTTP/1.1 only (docs/protocol.md §10): an h2c upgrade hung java.net.http clients.
            .setHttp2ClearTextEnabled(false);
    server =
        vertx
            .createHttpServer(options)
            // A publish in its plain form skips the router (HttpApi.ahead); the rest is routed.
            .requestHandler(
                req -> {
                  if (!api.ahead(req)) {
                    router.handle(req);
                  }
                });
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    // The table's pooled buffers go back to the pool; frames still queued keep their own refs.
    frames.close();
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
    // Every SockJS request (info, websocket, xhr, …) of a page from a foreign origin is refused
    // before SockJS sees it, so no session is created for it.
    router
        .route("/sockjs/*")
        .handler(
            rc -> {
              if (allowedOrigin(rc)) {
                rc.next();
              }
            });
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
                  String address = address(socket.remoteAddress());
                  Admission admission = services.connections().tryReserve(address);
                  if (admission == Admission.NODE_FULL) {
                    // Full: like a draining node, the client should go elsewhere and resume.
                    refuse(socket, CloseCode.RESTARTING);
                    return;
                  }
                  if (admission == Admission.ADDRESS_FULL) {
                    // Accepted by SockJS already: the refusal can only be a close (1008).
                    refuse(socket, CloseCode.TOO_MANY_CONNECTIONS);
                    return;
                  }
                  Connection connection = Connection.open(vertx, services, hub, address);
                  connection.start(SockJsTransport.attach(socket, connection));
                }));
  }

  /** Closes a SockJS socket before it starts; the code travels in a {@code close} message. */
  private static void refuse(SockJSSocket socket, CloseCode code) {
    socket.write(io.vertx.core.buffer.Buffer.buffer(Outbound.close(code)));
    socket.close(code.code(), code.reason());
  }

  private static void mountStatic(Router router, SlipstreamConfig config) {
    new ClientScript(config.clientOriginSet()).mount(router);
    router.get("/examples/*").handler(StaticHandler.create("webroot/examples"));
    router.get("/examples").handler(rc -> rc.redirect("/examples/"));
    // The operator's page (docs/operations.md): static files; its data comes from /api/*.
    router.get("/dashboard/*").handler(StaticHandler.create("webroot/dashboard"));
    router.get("/dashboard").handler(rc -> rc.redirect("/dashboard/"));
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
    if (!allowedOrigin(rc)) {
      return;
    }
    if (!serving.getAsBoolean()) {
      refuse(rc, 503, ErrorCode.UNAVAILABLE, "the server is starting or draining");
      return;
    }
    String address = address(rc.request().remoteAddress());
    Admission admission = services.connections().tryReserve(address);
    if (admission == Admission.NODE_FULL) {
      refuse(rc, 503, ErrorCode.UNAVAILABLE, "the server holds its maximum number of connections");
      return;
    }
    if (admission == Admission.ADDRESS_FULL) {
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      refuse(
          rc,
          429,
          ErrorCode.TOO_MANY_CONNECTIONS,
          "this address holds maxConnectionsPerAddress ("
              + services.config().access().maxConnectionsPerAddress()
              + ") connections already");
      return;
    }
    Connection connection = Connection.open(vertx, services, hub, address);
    String offeredExtensions = rc.request().getHeader("Sec-WebSocket-Extensions");
    io.netty.channel.ChannelHandlerContext channel =
        WebSocketTransport.channelOf(rc.request().connection());
    rc.request()
        .toWebSocket()
        .onSuccess(
            ws -> {
              WebSocketTransport transport;
              try {
                transport =
                    WebSocketTransport.attach(
                        ws,
                        channel,
                        frames,
                        connection,
                        nettyFrameLimit(services.config().maxFrameBytes()),
                        offeredExtensions);
              } catch (IllegalStateException closedMeanwhile) {
                // The socket closed between handshake and attach.
                connection.abandon();
                ws.close();
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

  /**
   * Whether the request's {@code Origin} is allowed (docs/protocol.md §1, Transports); if not,
   * it is answered 403 {@code forbidden} here.
   */
  private boolean allowedOrigin(RoutingContext rc) {
    String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
    if (origins.allows(origin)) {
      return true;
    }
    String shown = origin.length() > 200 ? origin.substring(0, 200) + "…" : origin;
    refuse(rc, 403, ErrorCode.FORBIDDEN, "Origin " + shown + " is not in allowedOrigins");
    return false;
  }

  /** The remote host as the per-address limit counts it: the TCP peer, never a header. */
  private static String address(SocketAddress remote) {
    if (remote == null) {
      return "";
    }
    String host = remote.hostAddress();
    return host != null ? host : String.valueOf(remote.path());
  }

  private static void refuse(RoutingContext rc, int status, ErrorCode code, String message) {
    rc.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(ErrorJson.body(code, message));
  }
}
