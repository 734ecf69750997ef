package io.slipstream.server.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium for the browser tests, driven over WebDriver: the browser and its driver
 * from the OS packages at {@link #BINARY} and {@link #DRIVER} ({@code chromium} and {@code
 * chromium-driver} on Debian, which {@code .ci/run} installs), in a throw-away profile.
 *
 * <p>Where either is missing, {@link #start()} <em>fails</em> the test when the environment
 * variable {@code CI} is set (to anything but empty or {@code false}), so that a green CI run
 * always means the browser tests ran; only elsewhere, on a developer machine without Chromium, does
 * it skip the test. Nothing here may reach the network: Selenium is given both paths, so Selenium
 * Manager never runs.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class Chromium implements AutoCloseable {

  /** Where Debian's {@code chromium} package puts the browser. */
  public static final Path BINARY = Path.of("/usr/bin/chromium");

  /** Where Debian's {@code chromium-driver} package puts the driver. */
  public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Starts Chromium; where it is not installed, fails under CI and skips elsewhere (see the class
   * doc).
   */
  public static Chromium start() throws IOException {
    requireInstalled(BINARY, DRIVER, System.getenv("CI"));
    Path profile = Files.createTempDirectory("slipstream-chromium-");
    return new Chromium(driver(profile), profile);
  }

  /**
   * Returns when {@code binary} and {@code driver} are executable; otherwise fails the test when
   * {@code ci} (the environment variable {@code CI}) marks a CI run, and skips it when not.
   */
  static void requireInstalled(Path binary, Path driver, String ci) {
    String missing = missing(binary, driver);
    if (missing == null) {
      return;
    }
    if (isCi(ci)) {
      throw new AssertionError(
          missing
              + ", and CI is set (CI="
              + ci
              + "): browser tests must run in CI (.ci/run"
              + " installs chromium and chromium-driver)");
    }
    Assumptions.abort(missing + ": browser test skipped, as it may be only where CI is not set");
  }

  /** What is missing of {@code binary} and {@code driver}, or null when both are executable. */
  static String missing(Path binary, Path driver) {
    if (!Files.isExecutable(binary)) {
      return "no Chromium at " + binary;
    }
    if (!Files.isExecutable(driver)) {
      return "no chromedriver at " + driver;
    }
    return null;
  }

  /** Whether {@code ci}, the value of the environment variable {@code CI}, marks a CI run. */
  static boolean isCi(String ci) {
    return ci != null && !ci.isBlank() && !ci.trim().toLowerCase(Locale.ROOT).equals("false");
  }

  private static ChromeDriver driver(Path profile) {
    System.setProperty("webdriver.chrome.driver", DRIVER.toString());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(service, options);
  }

  /** The WebDriver session. */
  public ChromeDriver driver() {
    return driver;
  }

  /** Runs {@code script} in the current page and returns its value. */
  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Waits, polling every 50 ms, until {@code done}; throws a TimeoutException naming it. */
  public void await(Duration timeout, String what, BooleanSupplier done) {
    new WebDriverWait(driver, timeout)
        .pollingEvery(Duration.ofMillis(50))
        .withMessage("waiting for " + what)
        .until(d -> done.getAsBoolean());
  }

  /** Quits the browser and deletes its profile. */
  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }
}
