package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scenarios the tool knows, by name, and the options each accepts.
 *
 * <p>Immutable and thread-safe.
 */
public final class Scenarios {

  private static final List<Scenario> ALL =
      List.of(
          new FanoutScenario(),
          new SaturateScenario(),
          new SlowScenario(),
          new ResumeScenario(),
          new SoakScenario(),
          new SnapshotScenario(),
          new IdleScenario(),
          new ClusterScenario(),
          new RawScenario());

  private Scenarios() {}

  /** Every scenario, in the order {@code --help} lists them. */
  public static List<Scenario> all() {
    return ALL;
  }

  /** The scenario named {@code name}, or null. */
  public static Scenario byName(String name) {
    for (Scenario s : ALL) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** The common options, with the scenario's defaults, followed by its own options. */
  public static List<OptionSpec> optionsOf(Scenario s) {
    Map<String, OptionSpec> byName = new LinkedHashMap<>();
    for (OptionSpec o : Harness.COMMON_OPTIONS) {
      byName.put(o.name(), o);
    }
    for (OptionSpec o : s.options()) {
      OptionSpec common = byName.get(o.name());
      byName.put(
          o.name(), common != null && o.help() == null ? common.withDefault(o.defaultValue()) : o);
    }
    return new ArrayList<>(byName.values());
  }

  /** A common option's default changed for one scenario. */
  static OptionSpec defaultOf(String name, String value) {
    return new OptionSpec(name, "", value, null, List.of());
  }
}
