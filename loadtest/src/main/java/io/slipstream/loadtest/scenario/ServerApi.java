package io.slipstream.loadtest.scenario;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The server's HTTP API as the harness uses it between phases: health, topic state, rows,
 * connections and the cluster's members (docs/protocol.md §10).
 *
 * <p>Thread-safe; blocking, with a timeout on every call, so it is used from the main thread only,
 * never on an event loop.
 */
final class ServerApi {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * The wait for a reading taken while the load runs ({@code /metrics}, {@code /api/connections}):
   * a missed reading is a gap in a chart, a long wait would stall the run's schedule.
   */
  private static final Duration READING_TIMEOUT = Duration.ofSeconds(5);

  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  ServerApi(String base) {
    this.base = base;
  }

  /** Waits up to {@code timeoutMs} for {@code GET /health} to answer 200. */
  boolean awaitHealthy(long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/health"))
                    .timeout(Duration.ofSeconds(2))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not up yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Harness.sleep(200);
    }
  }

  /** {@code GET /api/topics/{topic}/rows}: {@code {epoch, seq, rows: [{key, row}]}}. */
  JsonObject rows(String topic) {
    return new JsonObject(get("/api/topics/" + topic + "/rows"));
  }

  /**
   * {@code GET /api/cluster} (cluster mode), waiting at most a reading's timeout: a member that
   * hangs must not hang the run.
   */
  ClusterView cluster() {
    return ClusterView.parse(new JsonObject(get("/api/cluster", READING_TIMEOUT)));
  }

  /** {@code GET /api/topics/{topic}}. */
  JsonObject topic(String topic) {
    return new JsonObject(get("/api/topics/" + topic));
  }

  /** {@code GET /api/connections}, or null when it fails. */
  JsonArray connections() {
    try {
      String body = get("/api/connections", READING_TIMEOUT);
      Object parsed = io.vertx.core.json.Json.decodeValue(body);
      if (parsed instanceof JsonArray) {
        return (JsonArray) parsed;
      }
      if (parsed instanceof JsonObject
          && ((JsonObject) parsed).getValue("connections") instanceof JsonArray) {
        return ((JsonObject) parsed).getJsonArray("connections");
      }
      return null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * {@code GET /metrics} as samples ({@link PrometheusText#samples}), or null when it fails or the
   * server has no such endpoint.
   */
  java.util.Map<String, Double> metrics() {
    try {
      return PrometheusText.samples(get("/metrics", READING_TIMEOUT));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The sums of {@link #connections()}, or null when it fails. */
  Sampler.ServerView connectionsView() {
    JsonArray conns = connections();
    if (conns == null) {
      return null;
    }
    long pending = 0;
    long dropped = 0;
    double maxFill = 0;
    int count = 0;
    for (Object o : conns) {
      if (!(o instanceof JsonObject)) {
        continue;
      }
      JsonObject c = (JsonObject) o;
      count++;
      pending += number(c.getValue("pending"));
      dropped += number(c.getValue("dropped"));
      Object f = c.getValue("fill");
      if (f instanceof Number) {
        maxFill = Math.max(maxFill, ((Number) f).doubleValue());
      }
    }
    return new Sampler.ServerView(count, pending, dropped, maxFill);
  }

  private static long number(Object v) {
    return v instanceof Number ? ((Number) v).longValue() : 0;
  }

  private String get(String path) {
    return get(path, TIMEOUT);
  }

  private String get(String path, Duration timeout) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "GET " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
