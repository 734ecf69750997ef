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
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
  void servesEveryModuleOfThePackageSourceAtTheVersionedPath() throws IOException {
    start("*");
    String dir = "/slipstream/" + version() + "/";
    List<Path> files;
    try (Stream<Path> list = Files.list(PACKAGE.resolve("src"))) {
      files =
          list.filter(f -> f.toString().endsWith(".js") || f.toString().endsWith(".d.ts"))
              .sorted()
              .collect(Collectors.toList());
    }
    assertThat(files)
        .extracting(f -> f.getFileName().toString())
        .contains("slipstream.js", "topic.js", "slipstream.d.ts", "react.js");
    for (Path file : files) {
      String name = file.getFileName().toString();
      HttpResponse<String> r = server.request("GET", dir + name, null);
      assertThat(r.statusCode()).as(name).isEqualTo(200);
      assertThat(r.body()).as(name).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
      assertThat(r.headers().firstValue("content-type"))
          .as(name)
          .hasValue(
              name.endsWith(".js")
                  ? "text/javascript; charset=utf-8"
                  : "application/typescript; charset=utf-8");
      assertThat(r.headers().firstValue("cache-control"))
          .as(name)
          .hasValue("public, max-age=31536000, immutable");
    }
    HttpResponse<String> head = server.request("HEAD", dir + "slipstream.js", null);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  /**
   * The unversioned path redirects, so that the module's relative imports resolve to its version.
   */
  @Test
  void theUnversionedPathRedirectsToTheCurrentVersion() throws IOException {
    start("*");
    HttpResponse<String> r = server.request("GET", "/slipstream.js", null);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("location"))
        .hasValue("/slipstream/" + version() + "/slipstream.js");
    assertThat(r.headers().firstValue("cache-control")).hasValue("public, max-age=300");
    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");

    HttpResponse<String> typings = server.request("GET", "/slipstream.d.ts", null);
    assertThat(typings.statusCode()).isEqualTo(200);
    assertThat(typings.body())
        .isEqualTo(
            Files.readString(PACKAGE.resolve("src/slipstream.d.ts"), StandardCharsets.UTF_8));
  }

  /** Only the package's own files: no other name, no path out of its directory. */
  @Test
  void nothingElseIsServedUnderTheVersionedPath() throws IOException {
    start("*");
    String dir = "/slipstream/" + version() + "/";
    for (String path :
        List.of(dir + "package.json", dir + "nope.js", dir + "..%2Fpackage.json", dir + "a/b.js")) {
      HttpResponse<String> r = server.request("GET", path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code"))
          .as(path)
          .isEqualTo("not-found");
    }
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
  void anyOriginByDefault() throws IOException {
    start(SlipstreamConfig.DEFAULT_CLIENT_ORIGINS);
    HttpResponse<String> r =
        server.request(
            "GET", "/slipstream/" + version() + "/topic.js", null, "Origin", "https://a.example");
    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
  }

  @Test
  void anAllowListEchoesListedOriginsOnlyAndVariesOnOrigin() throws IOException {
    String script = "/slipstream/" + version() + "/slipstream.js";
    start("https://app.example, http://localhost:3000");
    HttpResponse<String> listed =
        server.request("GET", script, null, "Origin", "http://localhost:3000");
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.headers().firstValue("access-control-allow-origin"))
        .hasValue("http://localhost:3000");
    assertThat(listed.headers().firstValue("vary")).hasValue("Origin");

    HttpResponse<String> other =
        server.request("GET", script, null, "Origin", "https://evil.example");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
    assertThat(other.headers().firstValue("vary")).hasValue("Origin");

    HttpResponse<String> preflight =
        server.request(
            "OPTIONS",
            script,
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
