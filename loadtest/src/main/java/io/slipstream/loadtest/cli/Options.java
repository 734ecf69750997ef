package io.slipstream.loadtest.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed command line: the scenario name and the options given, validated against the declared
 * {@link OptionSpec}s, with typed getters that fall back to each option's default.
 *
 * <p>Immutable after {@link #parse}. Accepts {@code --name value}, {@code --name=value} and flags;
 * an unknown option, a missing value or a value of the wrong type is a {@link UsageException}
 * naming the option.
 */
public final class Options {

  private final String scenario;
  private final Map<String, String> values;
  private final Map<String, OptionSpec> specs;
  private final boolean help;

  private Options(
      String scenario, Map<String, String> values, Map<String, OptionSpec> specs, boolean help) {
    this.scenario = scenario;
    this.values = values;
    this.specs = specs;
    this.help = help;
  }

  /**
   * Parses {@code args} against {@code declared}.
   *
   * @throws UsageException for an unknown option, a missing value or a second scenario name
   */
  public static Options parse(String[] args, List<OptionSpec> declared) {
    Map<String, OptionSpec> byName = new LinkedHashMap<>();
    for (OptionSpec s : declared) {
      byName.put(s.name(), s);
      for (String a : s.aliases()) {
        byName.put(a, s);
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    String scenario = null;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        help = true;
        continue;
      }
      if (!arg.startsWith("--")) {
        if (scenario != null) {
          throw new UsageException(
              "unexpected argument '" + arg + "' (scenario is " + scenario + ")");
        }
        scenario = arg;
        continue;
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      OptionSpec spec = byName.get(name);
      if (spec == null) {
        throw new UsageException("unknown option --" + name + " (see --help)");
      }
      if (spec.isFlag()) {
        if (value != null && !value.equals("true") && !value.equals("false")) {
          throw new UsageException("--" + name + " is a flag and takes no value");
        }
        values.put(spec.name(), value == null ? "true" : value);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException("--" + name + " needs a value (" + spec.valueName() + ")");
        }
        value = args[++i];
      }
      values.put(spec.name(), value);
    }
    return new Options(scenario, Collections.unmodifiableMap(values), byName, help);
  }

  /** The scenario name, or null. */
  public String scenario() {
    return scenario;
  }

  /** Whether {@code --help} was given. */
  public boolean help() {
    return help;
  }

  /** Whether {@code name} was given explicitly. */
  public boolean given(String name) {
    return values.containsKey(name);
  }

  /** The value of {@code name}, or its default; null when neither. */
  public String string(String name) {
    String v = values.get(name);
    if (v != null) {
      return v;
    }
    OptionSpec s = spec(name);
    return s.defaultValue();
  }

  /** Whether the flag {@code name} is set. */
  public boolean flag(String name) {
    spec(name);
    return "true".equals(values.get(name));
  }

  /** The integer value of {@code name}, at least {@code min}. */
  public int integer(String name, int min) {
    long v = longValue(name, min);
    if (v > Integer.MAX_VALUE) {
      throw new UsageException(
          "--" + name + " must be at most " + Integer.MAX_VALUE + ", was " + v);
    }
    return (int) v;
  }

  /** The long value of {@code name}, at least {@code min}. */
  public long longValue(String name, long min) {
    String v = required(name);
    long n;
    try {
      n = Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number, was '" + v + "'");
    }
    if (n < min) {
      throw new UsageException("--" + name + " must be at least " + min + ", was " + n);
    }
    return n;
  }

  /** The decimal value of {@code name}, within {@code [min, max]}. */
  public double decimal(String name, double min, double max) {
    String v = required(name);
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number, was '" + v + "'");
    }
    if (!(d >= min && d <= max)) {
      throw new UsageException(
          "--" + name + " must be within [" + min + ", " + max + "], was " + d);
    }
    return d;
  }

  private String required(String name) {
    String v = string(name);
    if (v == null) {
      throw new UsageException("--" + name + " is required for this scenario");
    }
    return v;
  }

  private OptionSpec spec(String name) {
    OptionSpec s = specs.get(name);
    if (s == null) {
      throw new IllegalArgumentException("option '" + name + "' is not declared for this scenario");
    }
    return s;
  }

  /** Every declared option with its effective value (given or default), for the result file. */
  public Map<String, String> effective() {
    Map<String, String> out = new LinkedHashMap<>();
    List<OptionSpec> seen = new ArrayList<>();
    for (OptionSpec s : specs.values()) {
      if (seen.contains(s)) {
        continue;
      }
      seen.add(s);
      String v = values.containsKey(s.name()) ? values.get(s.name()) : s.defaultValue();
      if (s.isFlag()) {
        v = Boolean.toString("true".equals(values.get(s.name())));
      }
      if (v != null && !s.name().contains("token")) {
        out.put(s.name(), v);
      } else if (v != null) {
        out.put(s.name(), "(set)");
      }
    }
    return out;
  }
}
