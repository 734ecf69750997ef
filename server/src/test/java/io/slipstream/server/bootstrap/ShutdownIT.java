package io.slipstream.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Graceful shutdown (issue 3): health 503, new sockets refused, every client closed with 1012. */
class ShutdownIT {

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void drainingClosesEveryClientWith1012AndRefusesNewOnes() {
    server = TestServer.start();
    RecordingClient a = server.client();
    a.hello();
    a.subscribe("t");
    RecordingClient b = server.client();
    b.hello();
    assertThat(server.request("GET", "/health", null).statusCode()).isEqualTo(200);

    server.server().drain().await();

    assertThat(a.awaitClose(Duration.ofSeconds(10))).isEqualTo(1012);
    assertThat(b.awaitClose(Duration.ofSeconds(10))).isEqualTo(1012);
    var health = server.request("GET", "/health", null);
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("unavailable");
    assertThatThrownBy(server::client).hasMessageContaining("503");
    assertThat(server.server().connections().size()).isZero();
    // Sessions survive the drain: their clients resume on another node (or this one, restarted).
    assertThat(server.server().sessions().size()).isEqualTo(2);
  }
}
