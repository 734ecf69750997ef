package io.slipstream.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {

  private static final List<OptionSpec> SPECS =
      List.of(
          OptionSpec.value("clients", "N", "100", "clients").alias("subscribers"),
          OptionSpec.value("rate", "R", "1000", "rate"),
          OptionSpec.value("topic", "NAME", null, "topic"),
          OptionSpec.value("publish-token", "T", null, "token"),
          OptionSpec.flag("batch", "batch"));

  @Test
  void parsesValuesFlagsAliasesAndDefaults() {
    Options o =
        Options.parse(
            new String[] {"fanout", "--subscribers", "20", "--rate=200", "--batch"}, SPECS);
    assertThat(o.scenario()).isEqualTo("fanout");
    assertThat(o.integer("clients", 1)).isEqualTo(20);
    assertThat(o.decimal("rate", 0, 1e9)).isEqualTo(200);
    assertThat(o.flag("batch")).isTrue();
    assertThat(o.string("topic")).isNull();
    assertThat(o.given("rate")).isTrue();
    assertThat(Options.parse(new String[] {"fanout"}, SPECS).integer("clients", 1)).isEqualTo(100);
  }

  @Test
  void effectiveOptionsHideTokens() {
    Options o = Options.parse(new String[] {"x", "--publish-token", "secret"}, SPECS);
    assertThat(o.effective())
        .containsEntry("publish-token", "(set)")
        .containsEntry("clients", "100")
        .containsEntry("batch", "false");
    assertThat(o.effective().toString()).doesNotContain("secret");
  }

  @Test
  void badCommandLinesNameTheOption() {
    assertThatThrownBy(() -> Options.parse(new String[] {"x", "--nope", "1"}, SPECS))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--nope");
    assertThatThrownBy(() -> Options.parse(new String[] {"x", "--rate"}, SPECS))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--rate needs a value");
    assertThatThrownBy(
            () ->
                Options.parse(new String[] {"x", "--clients", "many"}, SPECS).integer("clients", 1))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--clients must be a whole number");
    assertThatThrownBy(
            () -> Options.parse(new String[] {"x", "--clients", "0"}, SPECS).integer("clients", 1))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> Options.parse(new String[] {"x", "y"}, SPECS))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("unexpected argument");
    assertThatThrownBy(() -> Options.parse(new String[] {"x", "--batch=maybe"}, SPECS))
        .isInstanceOf(UsageException.class);
  }

  @Test
  void helpIsAFlagAnywhere() {
    assertThat(Options.parse(new String[] {"fanout", "--help"}, SPECS).help()).isTrue();
  }
}
