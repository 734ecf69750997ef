package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client script over HTTP as another origin's page, a bundler or a CDN sees it: the same bytes
 * as the package's source (one source), at the unversioned path (cached 5 minutes) and at the
 * package's version (cached for a year), with CORS headers as {@code clientOrigins} says.
 */
class ClientScriptIT {

  /** The package, relative to the server module (surefire's working directory). */
  private static final Path PACKAGE = Path.of("client");

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(String origins) {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder().eventLoops(1).clientOrigins(origins).build());
  }

  private static String version() throws IOException {
    return new JsonObject(Files.readString(PACKAGE.resolve("package.json"))).getString("version");
  }

  @Test
  void servesThePackageSourceAtTheUnversionedAndTheVersionedPath() throws IOException {
    start("*");
    String source = Files.readString(PACKAGE.resolve("src/slipstream.js"), StandardCharsets.UTF_8);
    HttpResponse<String> current = server.request("GET", "/slipstream.js", null);
    assertThat(current.statusCode()).isEqualTo(200);
    assertThat(current.body()).isEqualTo(source);
    assertThat(current.headers().firstValue("content-type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(current.headers().firstValue("cache-control")).hasValue("public, max-age=300");

    String dir = "/slipstream/" + version() + "/";
    HttpResponse<String> pinned = server.request("GET", dir + "slipstream.js", null);
    assertThat(pinned.statusCode()).isEqualTo(200);
    assertThat(pinned.body()).isEqualTo(source);
    assertThat(pinned.headers().firstValue("cache-control"))
        .hasValue("public, max-age=31536000, immutable");

    HttpResponse<String> typings = server.request("GET", dir + "slipstream.d.ts", null);
    assertThat(typings.statusCode()).isEqualTo(200);
    assertThat(typings.body())
        .isEqualTo(
            Files.readString(PACKAGE.resolve("src/slipstream.d.ts"), StandardCharsets.UTF_8));

    HttpResponse<String> head = server.request("HEAD", dir + "slipstream.js", null);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void anotherVersionIs404NamingTheOneServed() throws IOException {
    start("*");
    HttpResponse<String> r = server.request("GET", "/slipstream/0.0.1/slipstream.js", null);
    assertThat(r.statusCode()).isEqualTo(404);
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("not-found");
    assertThat(error.getString("message")).contains("/slipstream/" + version() + "/slipstream.js");
  }

  @Test
  void anyOriginByDefault() {
    start(SlipstreamConfig.DEFAULT_CLIENT_ORIGINS);
    HttpResponse<String> r =
        server.request("GET", "/slipstream.js", null, "Origin", "https://anywhere.example");
    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
  }

  @Test
  void anAllowListEchoesListedOriginsOnlyAndVariesOnOrigin() {
    start("https://app.example, http://localhost:3000");
    HttpResponse<String> listed =
        server.request("GET", "/slipstream.js", null, "Origin", "http://localhost:3000");
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.headers().firstValue("access-control-allow-origin"))
        .hasValue("http://localhost:3000");
    assertThat(listed.headers().firstValue("vary")).hasValue("Origin");

    HttpResponse<String> other =
        server.request("GET", "/slipstream.js", null, "Origin", "https://evil.example");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
    assertThat(other.headers().firstValue("vary")).hasValue("Origin");

    HttpResponse<String> preflight =
        server.request(
            "OPTIONS",
            "/slipstream.js",
            null,
            "Origin",
            "https://app.example",
            "Access-Control-Request-Method",
            "GET");
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://app.example");
    assertThat(preflight.headers().firstValue("access-control-allow-methods"))
        .hasValue("GET, HEAD, OPTIONS");
  }
}
