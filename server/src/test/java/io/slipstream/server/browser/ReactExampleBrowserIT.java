package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The React example ({@code client/examples/react/app.js}, with {@code useTopic} from {@code
 * client/src/react.js}) in a real headless Chromium: a page of another origin imports the client
 * from this server's versioned path, so the browser itself enforces the {@code clientOrigins} CORS
 * answer, renders a live table, and must show exactly {@code GET /api/topics/t/rows} after a stream
 * of changes and again after a restart's 1012.
 *
 * <p>The page is served by a second HTTP server in this test, with React's UMD builds from the
 * package's devDependencies behind a one-line module shim: no network. Chromium comes from the OS
 * ({@link Chromium}): missing, the test fails under CI and is skipped elsewhere.
 */
class ReactExampleBrowserIT {

  private static final Path PACKAGE = Path.of("client").toAbsolutePath();
  private static final String TOPIC = "t";
  private static final int KEYS = 30;

  private Vertx pageVertx;
  private TestServer server;
  private Chromium chromium;

  @AfterEach
  void stop() throws IOException {
    if (chromium != null) {
      chromium.close();
    }
    if (server != null) {
      server.close();
    }
    if (pageVertx != null) {
      pageVertx.close().await();
    }
  }

  @Test
  void reactTableFollowsTheTopicThroughChangesAndARestart() throws Exception {
    chromium = Chromium.start();
    ChromeDriver driver = chromium.driver();
    pageVertx = Vertx.vertx();
    HttpServer pages = pageVertx.createHttpServer();
    int pagePort =
        pages.requestHandler(router(pageVertx)).listen(0, "127.0.0.1").await().actualPort();
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(1)
                .clientOrigins("http://127.0.0.1:" + pagePort)
                .build());
    publish(0, KEYS);

    String version =
        new JsonObject(Files.readString(PACKAGE.resolve("package.json"))).getString("version");
    String api = "http://127.0.0.1:" + server.port();
    driver.get(
        "http://127.0.0.1:"
            + pagePort
            + "/test/index.html?server="
            + api
            + "&version="
            + version
            + "&topic="
            + TOPIC);
    try {
      awaitPageEqualsServer("the first snapshot");
      for (int round = 1; round <= 10; round++) {
        publish(round, 10);
      }
      awaitPageEqualsServer("ten batches");
      server.server().connections().closeAllRestarting().await(10, TimeUnit.SECONDS);
      for (int round = 11; round <= 15; round++) {
        publish(round, 10);
      }
      awaitPageEqualsServer("after the 1012");
      Object stats = chromium.js("return JSON.stringify(window.__slipstream.stats)");
      JsonObject s = new JsonObject((String) stats);
      assertThat(s.getInteger("reconnects")).as("reconnected after 1012").isPositive();
      assertThat(s.getInteger("resumes")).isEqualTo(s.getInteger("reconnects"));
    } catch (AssertionError | org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + diagnostics(), e);
    }
  }

  /** Publishes {@code count} changes: upserts, and every seventh key deleted. */
  private void publish(int round, int count) {
    JsonArray changes = new JsonArray();
    for (int i = 0; i < count; i++) {
      String key = "k" + ((round * 7 + i) % KEYS);
      if (round > 0 && i % 7 == 6) {
        changes.add(new JsonObject().put("op", "DELETE").put("key", key));
      } else {
        changes.add(
            new JsonObject()
                .put("op", "UPDATE")
                .put("key", key)
                .put("row", new JsonObject().put("round", round).put("i", i)));
      }
    }
    server.publish(TOPIC, changes);
  }

  /** Waits until the rendered table has the server's seq, then compares it row by row. */
  private void awaitPageEqualsServer(String what) {
    JsonObject truth = server.rows(TOPIC);
    long seq = truth.getLong("seq");
    chromium.await(
        Duration.ofSeconds(20),
        what + ": the page at seq " + seq,
        () -> {
          WebElement status = chromium.driver().findElement(By.id("status"));
          return "streaming".equals(status.getAttribute("data-state"))
              && String.valueOf(seq).equals(status.getAttribute("data-seq"));
        });
    Map<String, JsonObject> expected = new TreeMap<>();
    for (Object o : truth.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      expected.put(r.getString("key"), r.getJsonObject("row"));
    }
    Map<String, JsonObject> shown = new TreeMap<>();
    for (WebElement tr : chromium.driver().findElements(By.cssSelector("#rows tr"))) {
      shown.put(
          tr.getAttribute("data-key"),
          new JsonObject(tr.findElement(By.className("row")).getText()));
    }
    assertThat(shown).as(what).isEqualTo(expected);
    assertThat(chromium.driver().findElement(By.id("status")).getAttribute("data-epoch"))
        .isEqualTo(truth.getString("epoch"));
  }

  /**
   * The page's server: the example's own files and the package's React entry from disk, React's UMD
   * builds from node_modules, and a test page whose import map joins them to the client served
   * cross-origin by Slipstream.
   */
  private static Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    file(router, "/example/app.js", PACKAGE.resolve("examples/react/app.js"));
    file(router, "/client/react.js", PACKAGE.resolve("src/react.js"));
    file(
        router,
        "/vendor/react.js",
        PACKAGE.resolve("node_modules/react/umd/react.production.min.js"));
    file(
        router,
        "/vendor/react-dom.js",
        PACKAGE.resolve("node_modules/react-dom/umd/react-dom.production.min.js"));
    text(
        router,
        "/test/react.js",
        "const R = window.React; export default R; export const { createElement, useMemo,"
            + " useSyncExternalStore, useState, useEffect } = R;");
    text(
        router,
        "/test/react-dom-client.js",
        "export const createRoot = (node, options) => window.ReactDOM.createRoot(node, options);");
    router
        .get("/test/index.html")
        .handler(
            rc ->
                rc.response()
                    .putHeader("content-type", "text/html; charset=utf-8")
                    .end(
                        "<!doctype html><html><head><meta charset=utf-8>"
                            + "<script src='/vendor/react.js'></script>"
                            + "<script src='/vendor/react-dom.js'></script><script>"
                            + "const p = new URLSearchParams(location.search);"
                            + "const s = document.createElement('script'); s.type = 'importmap';"
                            + "s.textContent = JSON.stringify({imports: {"
                            + " 'react': '/test/react.js',"
                            + " 'react-dom/client': '/test/react-dom-client.js',"
                            + " 'slipstream-client': p.get('server') + '/slipstream/'"
                            + "   + p.get('version') + '/slipstream.js',"
                            + " 'slipstream-client/react': '/client/react.js'}});"
                            + "document.currentScript.after(s);</script></head>"
                            + "<body><div id=root></div><script type=module>"
                            + "import { mount } from '/example/app.js';"
                            + "const p = new URLSearchParams(location.search);"
                            + "window.__slipstream = mount(document.getElementById('root'),"
                            + " {url: p.get('server'), topic: p.get('topic')});"
                            + "</script></body></html>"));
    return router;
  }

  private static void file(Router router, String path, Path file) {
    router
        .get(path)
        .handler(
            rc ->
                rc.response()
                    .putHeader("content-type", "text/javascript; charset=utf-8")
                    .sendFile(file.toString()));
  }

  private static void text(Router router, String path, String body) {
    router
        .get(path)
        .handler(
            rc ->
                rc.response()
                    .putHeader("content-type", "text/javascript; charset=utf-8")
                    .end(body));
  }

  private String diagnostics() {
    try {
      return "page: "
          + chromium.js(
              "const c = window.__slipstream; return (document.getElementById('status') || {})"
                  + ".textContent + ' ' + (c ? JSON.stringify({state: c.state, stats: c.stats})"
                  + " : 'no client')")
          + "\nbrowser log: "
          + chromium.driver().manage().logs().get("browser").getAll();
    } catch (RuntimeException e) {
      return "no diagnostics: " + e;
    }
  }
}
