package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.http.HttpApi;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: with {@code publishToken} or {@code jwtSecret} set, reads stayed open: {@code GET
 * /api/topics/{t}/rows} and {@code /api/connections} answered anyone, so every row of every topic
 * was readable by whoever reached the port, and nothing said so. Now {@code apiToken} guards every
 * {@code GET /api/...} (401 JSON otherwise), {@code /health} and {@code /metrics} stay open unless
 * {@code metricsToken} is set, and a node with auth on but reads open logs a warning at start
 * (docs/protocol.md §10).
 */
class ApiTokenGuardsReadsIT {

  private static final List<String> READS =
      List.of(
          "/api/topics",
          "/api/topics/t",
          "/api/topics/t/rows",
          "/api/topics/t/rows?limit=1",
          "/api/connections",
          "/api/nothing-here");

  private final Logger apiLog = Logger.getLogger(HttpApi.class.getName());
  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Handler recorder =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(r);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private TestServer server;

  @BeforeEach
  void record() {
    apiLog.addHandler(recorder);
  }

  @AfterEach
  void stop() {
    apiLog.removeHandler(recorder);
    if (server != null) {
      server.close();
    }
  }

  private static SlipstreamConfig.Builder config() {
    return SlipstreamConfig.defaults().toBuilder().eventLoops(2);
  }

  private HttpResponse<String> get(String path, String... headers) {
    return server.request("GET", path, null, headers);
  }

  @Test
  void everyReadNeedsTheApiTokenWhileHealthAndMetricsStayOpen() {
    server = TestServer.start(config().publishToken("pub").apiToken("s3cret").build());
    HttpResponse<String> published =
        server.request(
            "POST",
            "/api/topics/t/changes",
            "{\"op\":\"INSERT\",\"key\":\"a\",\"row\":{\"secret\":1}}",
            "Authorization",
            "Bearer pub");
    assertThat(published.statusCode()).as("publishing still takes publishToken").isEqualTo(200);

    for (String path : READS) {
      assertUnauthorized(get(path), path);
      assertUnauthorized(get(path, "Authorization", "Bearer wrong"), path);
      assertUnauthorized(get(path, "Authorization", "Bearer s3cre"), path);
      assertUnauthorized(get(path, "Authorization", "s3cret"), path);
      assertUnauthorized(get(path, "Authorization", "Bearer pub"), path);
    }
    String ok = "Bearer s3cret";
    assertThat(get("/api/topics", "Authorization", ok).statusCode()).isEqualTo(200);
    assertThat(get("/api/topics/t", "Authorization", ok).statusCode()).isEqualTo(200);
    assertThat(get("/api/connections", "Authorization", ok).statusCode()).isEqualTo(200);
    assertThat(get("/api/nothing-here", "Authorization", ok).statusCode()).isEqualTo(404);
    HttpResponse<String> rows = get("/api/topics/t/rows", "Authorization", ok);
    assertThat(rows.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(rows.body()).getJsonArray("rows")).hasSize(1);

    assertThat(get("/health").statusCode()).as("/health stays open").isEqualTo(200);
    assertThat(get("/metrics").statusCode()).as("/metrics stays open").isEqualTo(200);
    assertThat(warnings).as("reads are guarded: nothing to warn about").isEmpty();
  }

  @Test
  void authOnButReadsOpenIsWarnedAboutOnceAtStart() {
    server = TestServer.start(config().jwtSecret("jwt").build());
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getMessage()).contains("apiToken").contains("GET /api/");
    assertThat(get("/api/connections").statusCode()).as("still open, as configured").isEqualTo(200);
    server.close();
    warnings.clear();

    server = TestServer.start(config().publishToken("pub").build());
    assertThat(warnings).as("publishToken alone leaves reads open too").hasSize(1);
    server.close();
    warnings.clear();

    server = TestServer.start(config().build());
    assertThat(warnings).as("no auth at all is a choice, not an oversight").isEmpty();
  }

  @Test
  void aMetricsTokenGuardsHealthAndMetricsAndOnlyThem() {
    server = TestServer.start(config().apiToken("api").metricsToken("met").build());
    for (String path : List.of("/health", "/metrics")) {
      assertUnauthorized(get(path), path, "metricsToken");
      assertUnauthorized(get(path, "Authorization", "Bearer api"), path, "metricsToken");
      assertThat(get(path, "Authorization", "Bearer met").statusCode()).as(path).isEqualTo(200);
    }
    assertUnauthorized(
        get("/api/topics", "Authorization", "Bearer met"), "/api/topics", "apiToken");
    assertThat(get("/api/topics", "Authorization", "Bearer api").statusCode()).isEqualTo(200);

    server.close();
    server = TestServer.start(config().metricsToken("met").build());
    assertThat(get("/api/topics").statusCode()).as("reads follow apiToken alone").isEqualTo(200);
    assertUnauthorized(get("/metrics"), "/metrics", "metricsToken");
  }

  private static void assertUnauthorized(HttpResponse<String> r, String path) {
    assertUnauthorized(r, path, "apiToken");
  }

  private static void assertUnauthorized(HttpResponse<String> r, String path, String setting) {
    assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(401);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject err = new JsonObject(r.body()).getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo("unauthorized");
    assertThat(err.getString("message")).contains(setting);
    assertThat(r.body()).as("nothing of the topic leaks").doesNotContain("secret");
  }
}
