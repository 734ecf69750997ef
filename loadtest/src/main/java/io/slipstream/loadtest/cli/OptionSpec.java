package io.slipstream.loadtest.cli;

import java.util.List;

/**
 * One command-line option: its name (without {@code --}), the name of its value (null for a flag),
 * its default (null for none) and one line of help.
 *
 * <p>Immutable.
 */
public record OptionSpec(
    String name, String valueName, String defaultValue, String help, List<String> aliases) {

  /** An option taking a value. */
  public static OptionSpec value(String name, String valueName, String defaultValue, String help) {
    return new OptionSpec(name, valueName, defaultValue, help, List.of());
  }

  /** A flag: present or not. */
  public static OptionSpec flag(String name, String help) {
    return new OptionSpec(name, null, null, help, List.of());
  }

  /** The same option, also accepted as {@code --alias}. */
  public OptionSpec alias(String... names) {
    return new OptionSpec(name, valueName, defaultValue, help, List.of(names));
  }

  /** The same option with another default (scenarios tune the common ones). */
  public OptionSpec withDefault(String value) {
    return new OptionSpec(name, valueName, value, help, aliases);
  }

  /** Whether the option is a flag. */
  public boolean isFlag() {
    return valueName == null;
  }
}
