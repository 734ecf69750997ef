package io.slipstream.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Vert.x meters the fat jar turns on ({@link Main#vertxMetrics()}): HTTP server meters yes,
 * event-bus meters no. With the event-bus domain on, every consumer registration (one per connect)
 * looked up meters that carry no address, and its gauge's registration from several threads made
 * micrometer log a WARNING at every boot; this test fails if the domain is turned back on.
 */
class VertxMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Vertx vertx =
      Vertx.builder()
          .with(new VertxOptions().setMetricsOptions(Main.vertxMetrics()))
          .withMetrics(new MicrometerMetricsFactory(registry))
          .build();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void httpRequestsAreMeteredAndEventBusTrafficIsNot() {
    vertx.eventBus().consumer("a", m -> m.reply("pong")).completion().await();
    assertThat(vertx.eventBus().request("a", "ping").await().body()).isEqualTo("pong");
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(r -> r.response().end("ok"))
            .listen(0, "127.0.0.1")
            .await();
    HttpClient client = vertx.createHttpClient();
    String body =
        client
            .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
            .compose(req -> req.send().compose(r -> r.body()))
            .await()
            .toString();
    assertThat(body).isEqualTo("ok");

    List<String> names = registry.getMeters().stream().map(m -> m.getId().getName()).toList();
    assertThat(names).anyMatch(n -> n.startsWith("vertx.http.server."));
    assertThat(names).noneMatch(n -> n.startsWith("vertx.eventbus."));
  }
}
