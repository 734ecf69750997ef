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
 * The server's HTTP API as the harness uses it between phases: health, topic state, rows and
 * connections (PROTOCOL.md §7).
 *
 * <p>Thread-safe; blocking, with a timeout on every call, so it is used from the main thread only,
 * never on an event loop.
 */
final class ServerApi {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

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
                HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(2)).GET().build(),
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

  /** {@code GET /api/topics/{topic}}. */
  JsonObject topic(String topic) {
    return new JsonObject(get("/api/topics/" + topic));
  }

  /** {@code GET /api/connections}, or null when it fails. */
  JsonArray connections() {
    try {
      String body = get("/api/connections");
      Object parsed = io.vertx.core.json.Json.decodeValue(body);
      if (parsed instanceof JsonArray) {
        return (JsonArray) parsed;
      }
      if (parsed instanceof JsonObject && ((JsonObject) parsed).getValue("connections") instanceof JsonArray) {
        return ((JsonObject) parsed).getJsonArray("connections");
      }
      return null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private String get(String path) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
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
