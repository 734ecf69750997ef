package io.slipstream.server.bootstrap;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/**
 * Vert.x's own meters as the node serves them on {@code /metrics}: which ones ({@link #options()})
 * and the factory that makes them ({@link #factory}), Micrometer's with one race closed.
 *
 * <p>The race (Vert.x 5.0.7): the HTTP server's meters are created when its bind completes, but
 * the port accepts before that. A connection accepted in between gets no socket meter, while the
 * HTTP layer, set up a moment later, already finds the server's meters and hands them that missing
 * socket meter on every request. Micrometer's {@code requestBegin} then throws, the request is
 * never answered and the connection hangs until the client gives up: a readiness probe polling
 * {@code /health} while the node boots met it (the compare script's {@code curl} waited 5 minutes).
 * Here a call without its socket or request meter is not counted, and the request is served.
 */
final class VertxMeters {

  private VertxMeters() {}

  /**
   * HTTP server, pools, verticles and the JVM's meters, not the event bus's.
   *
   * <p>The event-bus meters carry no address label, so every address (each connection's control
   * address, each topic's hub) adds to one series that tells an operator nothing Slipstream's own
   * meters do not; yet they cost a meter lookup on every consumer registration (one per connect)
   * and a counter per message, and their gauge, registered from several threads at start, made
   * micrometer print a WARNING ("This Gauge has been already registered") as the first line of
   * every boot.
   */
  static MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(true)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .setEnabled(true);
  }

  /** Micrometer's factory writing to {@code registry}, its HTTP server meters null-safe. */
  static VertxMetricsFactory factory(MeterRegistry registry) {
    return new Factory(new MicrometerMetricsFactory(registry));
  }

  private record Factory(MicrometerMetricsFactory micrometer) implements VertxMetricsFactory {

    @Override
    public VertxMetrics metrics(VertxOptions options) {
      return new Guarded(micrometer.metrics(options));
    }

    @Override
    public MetricsOptions newOptions() {
      return micrometer.newOptions();
    }

    @Override
    public MetricsOptions newOptions(MetricsOptions options) {
      return micrometer.newOptions(options);
    }

    @Override
    public MetricsOptions newOptions(JsonObject json) {
      return micrometer.newOptions(json);
    }
  }

  /** Micrometer's meters, the HTTP server's wrapped; everything else as it is. */
  private record Guarded(VertxMetrics micrometer) implements VertxMetrics {

    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(
        HttpServerOptions options, SocketAddress localAddress) {
      HttpServerMetrics<?, ?, ?> m = micrometer.createHttpServerMetrics(options, localAddress);
      return m == null ? null : new NullSafeHttpServerMetrics<>(m);
    }

    @Override
    public EventBusMetrics<?> createEventBusMetrics() {
      return micrometer.createEventBusMetrics();
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(
        SocketAddress remoteAddress, String type, String namespace) {
      return micrometer.createClientMetrics(remoteAddress, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
      return micrometer.createHttpClientMetrics(options);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(
        NetServerOptions options, SocketAddress localAddress) {
      return micrometer.createNetServerMetrics(options, localAddress);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return micrometer.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return micrometer.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return micrometer.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      micrometer.vertxCreated(vertx);
    }

    @Override
    public void close() {
      micrometer.close();
    }
  }

  /**
   * Passes each call on unless the socket meter ({@code S}), request meter ({@code R}) or
   * WebSocket meter ({@code W}) it needs is missing: see the class doc for when it is.
   */
  static final class NullSafeHttpServerMetrics<R, W, S> implements HttpServerMetrics<R, W, S> {

    private final HttpServerMetrics<R, W, S> d;

    @SuppressWarnings("unchecked")
    NullSafeHttpServerMetrics(HttpServerMetrics<?, ?, ?> delegate) {
      this.d = (HttpServerMetrics<R, W, S>) delegate;
    }

    @Override
    public R requestBegin(S socket, HttpRequest request) {
      return socket == null ? null : d.requestBegin(socket, request);
    }

    @Override
    public void requestEnd(R r, HttpRequest request, long bytesRead) {
      if (r != null) {
        d.requestEnd(r, request, bytesRead);
      }
    }

    @Override
    public void requestReset(R r) {
      if (r != null) {
        d.requestReset(r);
      }
    }

    @Override
    public void responseBegin(R r, HttpResponse response) {
      if (r != null) {
        d.responseBegin(r, response);
      }
    }

    @Override
    public R responsePushed(S socket, HttpMethod method, String uri, HttpResponse response) {
      return socket == null ? null : d.responsePushed(socket, method, uri, response);
    }

    @Override
    public void responseEnd(R r, HttpResponse response, long bytesWritten) {
      if (r != null) {
        d.responseEnd(r, response, bytesWritten);
      }
    }

    @Override
    public W connected(S socket, R r, ServerWebSocket webSocket) {
      return socket == null ? null : d.connected(socket, r, webSocket);
    }

    @Override
    public void disconnected(W webSocket) {
      if (webSocket != null) {
        d.disconnected(webSocket);
      }
    }

    @Override
    public void requestRouted(R r, String route) {
      if (r != null) {
        d.requestRouted(r, route);
      }
    }

    @Override
    public S connected(SocketAddress remoteAddress, String remoteName) {
      return d.connected(remoteAddress, remoteName);
    }

    @Override
    public void disconnected(S socket, SocketAddress remoteAddress) {
      if (socket != null) {
        d.disconnected(socket, remoteAddress);
      }
    }

    @Override
    public void bytesRead(S socket, SocketAddress remoteAddress, long numberOfBytes) {
      if (socket != null) {
        d.bytesRead(socket, remoteAddress, numberOfBytes);
      }
    }

    @Override
    public void bytesWritten(S socket, SocketAddress remoteAddress, long numberOfBytes) {
      if (socket != null) {
        d.bytesWritten(socket, remoteAddress, numberOfBytes);
      }
    }

    @Override
    public void exceptionOccurred(S socket, SocketAddress remoteAddress, Throwable t) {
      if (socket != null) {
        d.exceptionOccurred(socket, remoteAddress, t);
      }
    }

    @Override
    public void close() {
      d.close();
    }
  }
}
