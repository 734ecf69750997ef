package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.server.config.QualityThresholds;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RecordingClient;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard ({@code GET /dashboard/}, issue 10) in real headless Chromium, behind {@code
 * apiToken}: the page asks for the token once and then shows the connections; during a paced load,
 * a client that stops reading shows as {@code lagging}, then {@code warned}, within seconds, and
 * its row leads the table while the reader stays {@code healthy}. Screenshots of each moment are
 * saved under {@code target/dashboard/} for a person to look at.
 */
class DashboardBrowserIT {

  private static final String TOKEN = "dash-secret";
  private static final String TOPIC = "board";
  private static final Path SHOTS = Path.of("target", "dashboard");

  private TestServer server;
  private Vertx clients;
  private Chromium chromium;
  private Thread load;
  private final AtomicBoolean loading = new AtomicBoolean(true);
  private volatile Throwable loadFailure;

  /**
   * warn at 30% and disconnect at 99% of 3,000 events: at the load's ~800 changes a second the
   * client stays {@code warned} for over two seconds, so the page's one-a-second poll sees it.
   */
  @BeforeEach
  void start() {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .apiToken(TOKEN)
                .sustainMs(120_000)
                .buffer(
                    // At ~1,000 changes/s the paused client is lagging from ~500 pending, warned
                    // from 2,000 and slow from 9,900: each state lasts well over the page's 1 s
                    // poll, also on a loaded machine (with 3,000 at 0.3 lagging lasted ~0.4 s, and
                    // a poll could miss it).
                    new BufferLimits(
                        10_000, BufferLimits.DEFAULT_MAX_BYTES, 0.2, 0.99, DropPolicy.DROP_OLDEST))
                .quality(new QualityThresholds(200, 500, 60_000, 500))
                .build());
    clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  @AfterEach
  void stop() throws Exception {
    loading.set(false);
    if (load != null) {
      load.join(10_000);
    }
    if (chromium != null) {
      chromium.close();
    }
    clients.close().await();
    server.close();
  }

  @Test
  void servedFromTheJarWithoutACdn() {
    HttpResponse<String> page = server.request("GET", "/dashboard/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElse("")).contains("text/html");
    assertThat(page.body()).contains("dashboard.js").doesNotContain("http://", "https://");
    HttpResponse<String> js = server.request("GET", "/dashboard/dashboard.js", null);
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("sessionStorage").doesNotContain("https://");
    // The page is open; its data is not.
    assertThat(server.request("GET", "/api/connections", null).statusCode()).isEqualTo(401);
  }

  @Test
  void aPausedClientShowsLaggingThenWarnedAndLeadsTheTable() throws Exception {
    RecordingClient slow = RecordingClient.connect(clients, server.port());
    String slowSession = slow.hello().getString("session");
    slow.subscribe(TOPIC);
    RecordingClient reader = RecordingClient.connect(clients, server.port());
    reader.hello();
    reader.subscribe(TOPIC);

    chromium = Chromium.start();
    ChromeDriver driver = chromium.driver();
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1000));
    driver.get("http://127.0.0.1:" + server.port() + "/dashboard/");
    chromium.await(
        Duration.ofSeconds(10),
        "the token form",
        () -> driver.findElement(By.id("token-form")).isDisplayed());
    shot(driver, "1-token");
    driver.findElement(By.id("token")).sendKeys(TOKEN);
    driver.findElement(By.cssSelector("#token-form button")).click();
    chromium.await(Duration.ofSeconds(10), "two connections listed", () -> rows().size() == 2);
    assertThat(chromium.js("return sessionStorage.getItem('slipstream.apiToken')"))
        .isEqualTo(TOKEN);
    assertThat(driver.getCurrentUrl()).doesNotContain(TOKEN);
    assertThat(qualities()).containsOnly("healthy");

    slow.pause();
    startLoad();
    List<String> leaderQualities = new ArrayList<>();
    chromium.await(
        Duration.ofSeconds(30),
        "the paused client lagging in the table",
        () -> {
          record(slowSession, leaderQualities);
          return leaderQualities.contains("lagging");
        });
    shot(driver, "2-lagging");
    chromium.await(
        Duration.ofSeconds(30),
        "the paused client warned in the table",
        () -> {
          record(slowSession, leaderQualities);
          if (loadFailure != null) {
            throw new AssertionError("the load failed", loadFailure);
          }
          return leaderQualities.contains("warned");
        });
    shot(driver, "3-warned");
    assertThat(loadFailure).as("the load ran throughout").isNull();
    assertThat(leaderQualities.indexOf("lagging")).isLessThan(leaderQualities.indexOf("warned"));
    List<List<String>> rows = rows();
    assertThat(rows.get(0).get(0)).as("the slow one leads").isEqualTo(slowSession);
    assertThat(rows.get(1).get(1)).isEqualTo("healthy");
    // Asked once: the token form stayed away through every poll since.
    assertThat(driver.findElement(By.id("token-form")).isDisplayed()).isFalse();
    loading.set(false);
    slow.close();
    reader.close();
  }

  /** Publishes about 1,000 changes a second until the test ends, and reads for the reader. */
  private void startLoad() {
    load =
        new Thread(
            () -> {
              int k = 0;
              while (loading.get()) {
                JsonArray batch = new JsonArray();
                for (int i = 0; i < 50; i++, k++) {
                  batch.add(
                      new JsonObject()
                          .put("op", "UPDATE")
                          .put("key", "k" + (k % 100))
                          .put("row", new JsonObject().put("pad", "x".repeat(1000))));
                }
                try {
                  server.publish(TOPIC, batch);
                } catch (AssertionError | RuntimeException e) {
                  loadFailure = e;
                  return;
                }
                try {
                  Thread.sleep(50); // paces the load; not a synchronisation
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "dashboard-load");
    load.setDaemon(true);
    load.start();
  }

  /** Appends the leading row's quality when the slow session leads and it changed. */
  private void record(String session, List<String> seen) {
    List<List<String>> rows = rows();
    if (!rows.isEmpty() && session.equals(rows.get(0).get(0))) {
      String q = rows.get(0).get(1);
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(q)) {
        seen.add(q);
      }
    }
  }

  /**
   * The table's rows as (session, quality), read in one script: the page redraws every second, so
   * elements found one call earlier may be gone.
   */
  @SuppressWarnings("unchecked")
  private List<List<String>> rows() {
    return (List<List<String>>)
        chromium.js(
            "return [...document.querySelectorAll('#connections tbody tr')]"
                + ".map(r => [r.dataset.session, r.dataset.quality]);");
  }

  private List<String> qualities() {
    List<String> out = new ArrayList<>();
    for (List<String> r : rows()) {
      out.add(r.get(1));
    }
    return out;
  }

  private static void shot(ChromeDriver driver, String name) throws IOException {
    Files.createDirectories(SHOTS);
    Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }
}
