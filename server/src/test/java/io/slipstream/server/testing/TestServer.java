package io.slipstream.server.testing;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.slipstream.core.spi.SessionStore;
import io.slipstream.core.time.Clock;
import io.slipstream.server.bootstrap.SlipstreamServer;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.connection.RemoteConnections;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Slipstream node on an ephemeral loopback port, with its own Vert.x, plus a plain JDK
 * HTTP client for the API.
 *
 * <p>Thread-safe.
 */
public final class TestServer implements AutoCloseable {

  /** How long one API exchange, headers and body, may take. */
  public static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(20);

  private final Vertx vertx;
  private final SlipstreamServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestServer(Vertx vertx, SlipstreamServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** Starts a node with {@code config} (its port and host are forced to 0 and 127.0.0.1). */
  public static TestServer start(SlipstreamConfig config) {
    return start(config, Clock.system());
  }

  /** Starts a node with {@code config} that reads time from {@code clock}. */
  public static TestServer start(SlipstreamConfig config, Clock clock) {
    return start(config, clock, null, RemoteConnections.UNREACHABLE);
  }

  /**
   * Starts a node whose sessions live in {@code sessions} (null: the node's own) and which reaches
   * other nodes' connections through {@code remote}.
   */
  public static TestServer start(
      SlipstreamConfig config, Clock clock, SessionStore sessions, RemoteConnections remote) {
    SlipstreamConfig c = config.toBuilder().port(0).host("127.0.0.1").build();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(c.eventLoops()));
    SlipstreamServer s =
        SlipstreamServer.start(
                vertx,
                c,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock,
                sessions,
                remote)
            .await();
    return new TestServer(vertx, s);
  }

  /** Starts a node with defaults, two event loops. */
  public static TestServer start() {
    return start(SlipstreamConfig.defaults().toBuilder().eventLoops(2).build());
  }

  /**
   * Starts a node with defaults, two event loops, and heartbeats too far apart to come during a
   * test: for tests that read frame by frame and expect exactly the messages they provoked.
   */
  public static TestServer startWithoutHeartbeats() {
    return start(
        SlipstreamConfig.defaults().toBuilder()
            .eventLoops(2)
            .heartbeatMs(60_000)
            .heartbeatTimeoutMs(120_000)
            .build());
  }

  public Vertx vertx() {
    return vertx;
  }

  public SlipstreamServer server() {
    return server;
  }

  public int port() {
    return server.port();
  }

  /** A new recording WebSocket client on its own Vert.x event loops. */
  public RecordingClient client() {
    return RecordingClient.connect(vertx, port());
  }

  /** One HTTP exchange. */
  public HttpResponse<String> request(String method, String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
            .timeout(EXCHANGE_TIMEOUT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      // The request timeout ends with the response headers; bound the body too, so that a stalled
      // exchange fails the test with its name instead of hanging it to JUnit's timeout.
      return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
          .get(EXCHANGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(method + " " + path + " failed", e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError(method + " " + path + ": no whole answer within " + EXCHANGE_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Publishes changes (an object or an array) and returns the 200 body. */
  public JsonObject publish(String topic, Object changes) {
    HttpResponse<String> r =
        request("POST", "/api/topics/" + topic + "/changes", Json.encode(changes));
    if (r.statusCode() != 200) {
      throw new AssertionError("publish failed: " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }

  /** {@code GET /api/topics/{topic}/rows}. */
  public JsonObject rows(String topic) {
    return new JsonObject(request("GET", "/api/topics/" + topic + "/rows", null).body());
  }

  /**
   * A counter's value in {@code GET /metrics}, named with its labels ({@code
   * slipstream_changes_dropped_total{reason="budget"}}); 0 when absent.
   */
  public double meter(String name) {
    String body = request("GET", "/metrics", null).body();
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }

  /** {@code GET /api/connections}. */
  public JsonArray connections() {
    return new JsonArray(request("GET", "/api/connections", null).body());
  }

  @Override
  public void close() {
    try {
      server.shutdown().await();
    } catch (Exception ignored) {
      // Closing Vert.x below releases everything anyway.
    }
    vertx.close().await();
  }
}
