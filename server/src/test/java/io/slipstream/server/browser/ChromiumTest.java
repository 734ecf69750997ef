package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** When the browser tests run, fail or skip: {@link Chromium#requireInstalled}. */
class ChromiumTest {

  @Test
  void ciIsMarkedByTheVariableSetToAnythingButEmptyOrFalse() {
    assertThat(Chromium.isCi(null)).isFalse();
    assertThat(Chromium.isCi("")).isFalse();
    assertThat(Chromium.isCi(" ")).isFalse();
    assertThat(Chromium.isCi("false")).isFalse();
    assertThat(Chromium.isCi("FALSE")).isFalse();
    assertThat(Chromium.isCi("true")).isTrue();
    assertThat(Chromium.isCi("1")).isTrue();
    assertThat(Chromium.isCi("yes")).isTrue();
  }

  @Test
  void aMissingBrowserFailsUnderCi(@TempDir Path dir) throws IOException {
    Path driver = executable(dir.resolve("chromedriver"));
    assertThatThrownBy(() -> Chromium.requireInstalled(dir.resolve("chromium"), driver, "true"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no Chromium at " + dir.resolve("chromium"))
        .hasMessageContaining("CI is set");
  }

  @Test
  void aMissingDriverFailsUnderCi(@TempDir Path dir) throws IOException {
    Path binary = executable(dir.resolve("chromium"));
    assertThatThrownBy(() -> Chromium.requireInstalled(binary, dir.resolve("chromedriver"), "1"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no chromedriver at");
  }

  @Test
  void aMissingBrowserSkipsOnlyWhereCiIsNotSet(@TempDir Path dir) {
    Path binary = dir.resolve("chromium");
    Path driver = dir.resolve("chromedriver");
    assertThatThrownBy(() -> Chromium.requireInstalled(binary, driver, null))
        .isInstanceOf(TestAbortedException.class);
    assertThatThrownBy(() -> Chromium.requireInstalled(binary, driver, "false"))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void bothInstalledRuns(@TempDir Path dir) throws IOException {
    Path binary = executable(dir.resolve("chromium"));
    Path driver = executable(dir.resolve("chromedriver"));
    assertThatCode(() -> Chromium.requireInstalled(binary, driver, "true"))
        .doesNotThrowAnyException();
  }

  /** CI's entry point installs what the browser tests use and runs them as CI. */
  @Test
  void ciRunInstallsChromiumWhereTheBrowserTestsLookAndRunsThemAsCi() throws IOException {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve(".ci/run"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as(".ci/run above the working directory").isNotNull();
    String run = Files.readString(dir.resolve(".ci/run"));
    assertThat(run)
        .contains("missing+=(chromium chromium-driver)")
        .contains("[ ! -x " + Chromium.BINARY + " ]")
        .contains("[ ! -x " + Chromium.DRIVER + " ]")
        .contains("export CI=true");
    assertThat(run.indexOf("export CI=true")).isLessThan(run.indexOf("exec mvn -B verify"));
  }

  private static Path executable(Path p) throws IOException {
    Files.createFile(
        p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    return p;
  }
}
