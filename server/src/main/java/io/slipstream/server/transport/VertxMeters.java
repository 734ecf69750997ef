package io.slipstream.server.transport;

import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.NetworkMetrics;
import java.lang.reflect.Method;

/**
 * What Vert.x's HTTP server metrics counted for one upgraded socket, taken over with it: an open
 * connection ({@code vertx_http_server_active_connections}) and an open WebSocket ({@code
 * vertx_http_server_active_ws_connections}). Vert.x gives both back when its own WebSocket
 * connection closes; once {@link WebSocketTransport} has replaced that connection in the pipeline
 * it never closes, so the transport gives them back through {@link #disconnected()} instead, or
 * the gauges would count every socket ever opened.
 *
 * <p>Vert.x internals (5.0.7): the socket's metric is only reachable through the package-private
 * {@code WebSocketConnectionImpl.webSocket()} and {@code
 * WebSocketImplBase.getMetric()}; where that is gone only the connection gauge is given back
 * and {@code WebSocketMetricsIT} says so.
 */
final class VertxMeters {

  private static final Method WEBSOCKET =
      accessible("io.vertx.core.http.impl.WebSocketConnectionImpl", "webSocket");
  private static final Method WEBSOCKET_METRIC =
      accessible("io.vertx.core.http.impl.WebSocketImplBase", "getMetric");

  private final HttpServerMetrics<?, ?, ?> metrics;
  private final Object connectionMetric;
  private final Object webSocketMetric;
  private final SocketAddress remote;

  private VertxMeters(
      HttpServerMetrics<?, ?, ?> metrics,
      Object connectionMetric,
      Object webSocketMetric,
      SocketAddress remote) {
    this.metrics = metrics;
    this.connectionMetric = connectionMetric;
    this.webSocketMetric = webSocketMetric;
    this.remote = remote;
  }

  /**
   * The meters of {@code connection}, Vert.x's WebSocket connection of the upgraded socket; null
   * when Vert.x counts nothing (metrics off).
   */
  static VertxMeters of(VertxConnection connection) {
    NetworkMetrics<?> m = connection.metrics();
    if (!(m instanceof HttpServerMetrics)) {
      return null;
    }
    return new VertxMeters(
        (HttpServerMetrics<?, ?, ?>) m,
        connection.metric(),
        webSocketMetric(connection),
        connection.remoteAddress());
  }

  /** Gives back what Vert.x counted for the socket; once, when it closed. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  void disconnected() {
    HttpServerMetrics raw = metrics;
    if (webSocketMetric != null) {
      raw.disconnected(webSocketMetric);
    }
    raw.disconnected(connectionMetric, remote);
  }

  /** The socket's metric, through {@code WebSocketConnectionImpl.webSocket().getMetric()}. */
  private static Object webSocketMetric(VertxConnection connection) {
    if (WEBSOCKET == null
        || WEBSOCKET_METRIC == null
        || !WEBSOCKET.getDeclaringClass().isInstance(connection)) {
      return null;
    }
    try {
      return WEBSOCKET_METRIC.invoke(WEBSOCKET.invoke(connection));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Method accessible(String className, String method) {
    try {
      Method m = Class.forName(className).getDeclaredMethod(method);
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
