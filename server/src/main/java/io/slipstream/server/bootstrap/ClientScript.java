package io.slipstream.server.bootstrap;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.server.protocol.ErrorJson;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves the client package (server/client, its {@code src/} copied into the jar's {@code
 * webroot/client/} by the build) at {@code /slipstream/<version>/}: {@code slipstream.js}, the
 * modules it imports, and the typings, with CORS headers for the origins of {@code clientOrigins},
 * so that a page of another origin can {@code import} it. {@code /slipstream.js} redirects to the
 * current version, so that its relative imports resolve there; {@code /slipstream.d.ts} is served
 * as is.
 *
 * <p>Immutable and thread-safe: one instance may serve every event loop. The unversioned paths are
 * cached briefly (they change when the server is upgraded); the versioned ones are immutable and
 * cached for a year. The version is the package's own ({@code package.json}), read once.
 */
final class ClientScript {

  /** Where the build puts the package's files in the jar. */
  private static final String DIR = "webroot/client/";

  /** The unversioned paths may change with an upgrade: browsers check again after 5 minutes. */
  static final String SHORT_CACHE = "public, max-age=300";

  /** A versioned path never changes. */
  static final String LONG_CACHE = "public, max-age=31536000, immutable";

  /** File names that may be asked for: no path, so nothing outside {@link #DIR} is reachable. */
  private static final Pattern FILE = Pattern.compile("[a-z][a-z-]{0,63}\\.(js|d\\.ts)");

  private static final Pattern VERSION =
      Pattern.compile("\"version\"\\s*:\\s*\"([0-9A-Za-z.+-]{1,64})\"");

  private static final String JS_TYPE = "text/javascript; charset=utf-8";
  private static final String TS_TYPE = "application/typescript; charset=utf-8";

  private final String version;
  private final String versionDir;

  /** Allowed origins; empty means any ({@code *}). */
  private final Set<String> origins;

  ClientScript(Set<String> origins) {
    this.version = packageVersion();
    this.versionDir = "/slipstream/" + version + "/";
    this.origins = origins;
  }

  /** The client package's version, e.g. {@code 1.0.0}. */
  String version() {
    return version;
  }

  /** Mounts the routes: GET and HEAD, and OPTIONS for CORS preflights. */
  void mount(Router router) {
    get(router, "/slipstream.js")
        .handler(
            rc -> {
              cors(rc);
              rc.response()
                  .setStatusCode(302)
                  .putHeader(HttpHeaders.LOCATION, versionDir + "slipstream.js")
                  .putHeader(HttpHeaders.CACHE_CONTROL, SHORT_CACHE)
                  .end();
            });
    get(router, "/slipstream.d.ts").handler(rc -> send(rc, "slipstream.d.ts", SHORT_CACHE));
    get(router, versionDir + ":file")
        .handler(
            rc -> {
              String file = rc.pathParam("file");
              if (!FILE.matcher(file).matches()
                  || ClientScript.class.getClassLoader().getResource(DIR + file) == null) {
                notFound(rc);
                return;
              }
              send(rc, file, LONG_CACHE);
            });
    router.options("/slipstream.js").handler(this::preflight);
    router.options("/slipstream.d.ts").handler(this::preflight);
    router.options("/slipstream/*").handler(this::preflight);
    // Any other version or file: say which version is here rather than a bare 404.
    router.route("/slipstream/*").handler(this::notFound);
  }

  private static Route get(Router router, String path) {
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  private void send(RoutingContext rc, String file, String cache) {
    cors(rc);
    rc.response()
        // Browsers load ES modules only with a JavaScript type.
        .putHeader(HttpHeaders.CONTENT_TYPE, file.endsWith(".js") ? JS_TYPE : TS_TYPE)
        .putHeader(HttpHeaders.CACHE_CONTROL, cache)
        .putHeader("x-content-type-options", "nosniff")
        .sendFile(DIR + file);
  }

  private void preflight(RoutingContext rc) {
    cors(rc);
    rc.response()
        .setStatusCode(204)
        .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS")
        .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "86400")
        .end();
  }

  private void notFound(RoutingContext rc) {
    cors(rc);
    rc.response()
        .setStatusCode(404)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(
            ErrorJson.body(
                ErrorCode.NOT_FOUND,
                "this server serves the client version "
                    + version
                    + " at "
                    + versionDir
                    + "slipstream.js (and /slipstream.js)"));
  }

  /**
   * The CORS answer: {@code *} when any origin is allowed, else the request's origin if it is
   * listed (and {@code Vary: Origin}, so that caches keep one answer per origin). An origin not
   * listed gets no header, and the browser refuses the script to that page.
   */
  private void cors(RoutingContext rc) {
    HttpServerResponse response = rc.response();
    if (origins.isEmpty()) {
      response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
      return;
    }
    response.putHeader(HttpHeaders.VARY, "Origin");
    String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
    if (origin != null && origins.contains(origin.toLowerCase(Locale.ROOT))) {
      response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
  }

  /**
   * The {@code version} of the package's {@code package.json}. Read with a pattern, not a JSON
   * parser: only {@code protocol} reads JSON (ArchitectureTest), and this is the package's own
   * file, whose first {@code "version"} is the package's (ClientScriptIT checks the served path
   * against it).
   */
  private static String packageVersion() {
    String resource = DIR + "package.json";
    try (InputStream in = ClientScript.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource + " is missing from the class path: the build copies it from server/client");
      }
      Matcher m = VERSION.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      if (!m.find()) {
        throw new IllegalStateException(resource + " has no usable \"version\"");
      }
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
