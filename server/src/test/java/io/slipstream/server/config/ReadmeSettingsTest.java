package io.slipstream.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table says what {@link Setting} says (issue 9, "Configuration"): the same
 * keys in the same order, each with its environment variable (or {@code file only}), its default
 * and its meaning, word for word once the Markdown backticks are taken out. {@link Setting} is the
 * one source, which {@code --help} prints; this test fails when the README drifts from it.
 */
class ReadmeSettingsTest {

  /** Defaults that depend on the machine: the README says how they are computed. */
  private static final Map<String, String> COMPUTED_DEFAULTS =
      Map.of(
          "eventLoops",
          "1 × processors",
          "topicStateBudgetBytes",
          "half the max heap",
          "buffer.budgetBytes",
          "a quarter of the max heap");

  private static List<String[]> readmeRows() throws IOException {
    Path readme = Path.of("..", "README.md");
    if (!Files.exists(readme)) {
      readme = Path.of("README.md");
    }
    List<String[]> rows = new ArrayList<>();
    boolean inSettings = false;
    for (String line : Files.readAllLines(readme)) {
      if (line.startsWith("## ")) {
        inSettings = line.equals("## Settings");
      } else if (inSettings && line.startsWith("| `")) {
        String[] cells = line.substring(1, line.length() - 1).split(" \\| ", -1);
        rows.add(Arrays.stream(cells).map(c -> c.trim().replace("`", "")).toArray(String[]::new));
      }
    }
    return rows;
  }

  @Test
  void theReadmeTableListsEverySettingInOrder() throws IOException {
    assertThat(readmeRows().stream().map(r -> r[0]).collect(Collectors.toList()))
        .containsExactlyElementsOf(
            Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.toList()));
  }

  @Test
  void eachRowSaysWhatSettingSays() throws IOException {
    SlipstreamConfig defaults = SlipstreamConfig.defaults();
    SoftAssertions soft = new SoftAssertions();
    for (String[] row : readmeRows()) {
      Setting s = Setting.byKey(row[0]).orElseThrow();
      assertThat(row).as("README row of %s", s.key()).hasSize(4);
      soft.assertThat(row[1])
          .as("environment of %s", s.key())
          .isEqualTo(s.fileOnly() ? "file only" : s.envName());
      String formatted = s.format(s.get(defaults));
      String expected =
          COMPUTED_DEFAULTS.getOrDefault(s.key(), formatted.isEmpty() ? "empty" : formatted);
      soft.assertThat(row[2]).as("default of %s", s.key()).isEqualTo(expected);
      soft.assertThat(row[3]).as("meaning of %s", s.key()).isEqualTo(s.meaning());
    }
    soft.assertAll();
  }
}
