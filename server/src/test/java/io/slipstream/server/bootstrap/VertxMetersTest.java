package io.slipstream.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Vert.x meters the fat jar turns on ({@link VertxMeters}): HTTP server meters yes, event-bus
 * meters no, and no request left unanswered when Vert.x hands the HTTP meters a connection without
 * its socket meter.
 *
 * <p>Bug (2026-12-04): a connection accepted while the node bound its port (between the bind and
 * the creation of the server's meters, Vert.x 5.0.7) had no socket meter; Micrometer's {@code
 * requestBegin} threw on it and the request was never answered. {@code run-compare.sh}'s readiness
 * probe ({@code curl /health}) hung 5 minutes on it. The tests below put a connection in that state
 * by dropping its socket meter, the state the race leaves.
 */
class VertxMetersTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Vertx vertx;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void httpRequestsAreMeteredAndEventBusTrafficIsNot() {
    vertx = vertx(VertxMeters.factory(registry));
    vertx.eventBus().consumer("a", m -> m.reply("pong")).completion().await();
    assertThat(vertx.eventBus().request("a", "ping").await().body()).isEqualTo("pong");

    assertThat(get(serve(), 10_000)).isEqualTo("ok");

    List<String> names = registry.getMeters().stream().map(m -> m.getId().getName()).toList();
    assertThat(names).anyMatch(n -> n.startsWith("vertx.http.server."));
    assertThat(names).noneMatch(n -> n.startsWith("vertx.eventbus."));
  }

  @Test
  void aConnectionWithoutItsSocketMeterIsServed() {
    vertx = vertx(withLostSocketMeters(VertxMeters.NullSafeHttpServerMetrics::new));

    assertThat(get(serve(), 10_000)).isEqualTo("ok");
  }

  /** The test's premise: without the guard, the same connection's request is never answered. */
  @Test
  void withoutTheGuardSuchARequestHangs() {
    vertx = vertx(withLostSocketMeters(UnaryOperator.identity()));

    int port = serve();
    assertThatThrownBy(() -> get(port, 1_000)).hasMessageContaining("timeout");
  }

  private Vertx vertx(VertxMetricsFactory factory) {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(VertxMeters.options()))
        .withMetrics(factory)
        .build();
  }

  /**
   * Micrometer's meters with every HTTP connection's socket meter dropped, as the bind race drops
   * it, the HTTP server meters then passed through {@code guard}.
   */
  private VertxMetricsFactory withLostSocketMeters(
      UnaryOperator<HttpServerMetrics<?, ?, ?>> guard) {
    VertxMetricsFactory micrometer = new MicrometerMetricsFactory(registry);
    return options -> {
      VertxMetrics all = micrometer.metrics(options);
      return new VertxMetrics() {
        @Override
        public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(
            HttpServerOptions o, SocketAddress localAddress) {
          return guard.apply(losingSocketMeters(all.createHttpServerMetrics(o, localAddress)));
        }

        @Override
        public void close() {
          // Micrometer's backend is registered by name for the JVM: the next test gets its own.
          all.close();
        }
      };
    };
  }

  private static HttpServerMetrics<?, ?, ?> losingSocketMeters(HttpServerMetrics<?, ?, ?> m) {
    return (HttpServerMetrics<?, ?, ?>)
        Proxy.newProxyInstance(
            HttpServerMetrics.class.getClassLoader(),
            new Class<?>[] {HttpServerMetrics.class},
            (proxy, method, args) -> {
              if (isSocketConnected(method)) {
                return null;
              }
              try {
                return method.invoke(m, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static boolean isSocketConnected(Method method) {
    return method.getName().equals("connected")
        && method.getParameterCount() == 2
        && method.getParameterTypes()[0] == SocketAddress.class;
  }

  private int serve() {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(r -> r.response().end("ok"))
            .listen(0, "127.0.0.1")
            .await();
    return server.actualPort();
  }

  private String get(int port, long timeoutMs) {
    HttpClient client = vertx.createHttpClient();
    return client
        .request(HttpMethod.GET, port, "127.0.0.1", "/")
        .compose(req -> req.idleTimeout(timeoutMs).send().compose(r -> r.body()))
        .toCompletionStage()
        .toCompletableFuture()
        .orTimeout(timeoutMs + 5_000, TimeUnit.MILLISECONDS)
        .join()
        .toString();
  }
}
