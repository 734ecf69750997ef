package io.slipstream.loadtest;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.cli.UsageException;
import io.slipstream.loadtest.report.HtmlReport;
import io.slipstream.loadtest.report.JsonReport;
import io.slipstream.loadtest.report.RunResult;
import io.slipstream.loadtest.report.TextReport;
import io.slipstream.loadtest.scenario.Harness;
import io.slipstream.loadtest.scenario.Scenario;
import io.slipstream.loadtest.scenario.Scenarios;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The command line: {@code java -jar slipstream-loadtest.jar SCENARIO [options]}.
 *
 * <p>Runs one scenario on the main thread, prints a progress line a second on stderr and a table on
 * stdout at the end, and writes {@code result.json} and {@code report.html}. Exit codes: 0 every
 * check passed, 1 a check failed, 2 bad command line, 3 the run could not be carried out (e.g. no
 * server).
 */
public final class Main {

  /** Every check passed. */
  public static final int EXIT_PASSED = 0;

  /** A check failed. */
  public static final int EXIT_FAILED = 1;

  /** Bad command line. */
  public static final int EXIT_USAGE = 2;

  /** The run could not be carried out. */
  public static final int EXIT_ERROR = 3;

  private Main() {}

  /** What a run produced: the result and the directory its files went to. */
  public record Outcome(RunResult result, Path directory) {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line and returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      Outcome o = execute(args, out, err);
      if (o == null) {
        return EXIT_PASSED; // help
      }
      return o.result().passed() ? EXIT_PASSED : EXIT_FAILED;
    } catch (UsageException e) {
      err.println("slipstream-loadtest: " + e.getMessage());
      return EXIT_USAGE;
    } catch (RuntimeException e) {
      err.println("slipstream-loadtest: " + e.getMessage());
      return EXIT_ERROR;
    }
  }

  /**
   * Runs the command line: prints help and returns null for {@code --help}, else runs the scenario,
   * prints the table, writes the files and returns the outcome.
   *
   * @throws UsageException for a bad command line
   */
  public static Outcome execute(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0
        || args[0].equals("--help")
        || args[0].equals("-h")
        || args[0].equals("help")) {
      out.print(usage());
      return null;
    }
    Scenario scenario = Scenarios.byName(args[0]);
    if (scenario == null) {
      throw new UsageException(
          "unknown scenario '" + args[0] + "'; one of " + names() + " (see --help)");
    }
    List<OptionSpec> specs = Scenarios.optionsOf(scenario);
    Options options = Options.parse(args, specs);
    if (options.help()) {
      out.print(usage(scenario));
      return null;
    }
    Harness.validate(options);
    scenario.validate(options);
    scenario.maxSockets(options); // parses --clients and friends before anything starts
    Path dir = outputDirectory(options, scenario.name());
    RunResult result;
    try (Harness h = Harness.start(options, scenario.name(), err, scenario.maxSockets(options))) {
      if (scenario.slipstream()) {
        h.requireHealthy();
      }
      result = scenario.run(h);
    }
    write(result, dir);
    out.print(TextReport.render(result));
    out.println("results: " + dir.resolve("result.json") + " and " + dir.resolve("report.html"));
    return new Outcome(result, dir);
  }

  private static Path outputDirectory(Options options, String scenario) {
    String given = options.string("out");
    if (given != null) {
      return Path.of(given);
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return Path.of("loadtest-results", scenario + "-" + stamp);
  }

  /** Writes {@code result.json} and {@code report.html} into {@code dir}. */
  public static void write(RunResult result, Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("result.json"),
          JsonReport.render(result).encodePrettily() + "\n",
          StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve("report.html"), HtmlReport.render(result), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String names() {
    StringBuilder sb = new StringBuilder();
    for (Scenario s : Scenarios.all()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(s.name());
    }
    return sb.toString();
  }

  /** The general help: usage, scenarios, common options. */
  public static String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: java -jar slipstream-loadtest.jar SCENARIO [options]\n")
        .append("       java -jar slipstream-loadtest.jar SCENARIO --help\n\n")
        .append(
            "Load generator for Slipstream. It speaks only the wire protocol (WebSocket or"
                + " SockJS)\n")
        .append(
            "and publishes through POST /api/topics/{topic}/changes, so it measures any"
                + " deployment.\n")
        .append(
            "Every client checks order and accounts for every seq; latency is receive time minus\n")
        .append("the send time the tool stamps into each row.\n\nScenarios:\n");
    for (Scenario s : Scenarios.all()) {
      sb.append(String.format("  %-9s %s\n", s.name(), wrap(s.question(), 12)));
    }
    sb.append("\nCommon options:\n");
    appendOptions(sb, Harness.COMMON_OPTIONS);
    sb.append(
            "\n"
                + "Exit codes: 0 every check passed, 1 a check failed, 2 bad command line, 3 could"
                + " not run.\n")
        .append("Results: a table on stdout, result.json and report.html in --out.\n");
    return sb.toString();
  }

  /** The help of one scenario: question, topology, its options with their defaults. */
  public static String usage(Scenario s) {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: java -jar slipstream-loadtest.jar ")
        .append(s.name())
        .append(" [options]\n\n")
        .append(wrap(s.question(), 0))
        .append("\n\nTopology: ")
        .append(wrap(s.topology(), 10))
        .append("\n\nOptions:\n");
    appendOptions(sb, Scenarios.optionsOf(s));
    return sb.toString();
  }

  private static void appendOptions(StringBuilder sb, List<OptionSpec> specs) {
    for (OptionSpec o : specs) {
      String left = "--" + o.name() + (o.isFlag() ? "" : " " + o.valueName());
      sb.append(String.format("  %-30s %s", left, o.help()));
      if (o.defaultValue() != null) {
        sb.append(" [").append(o.defaultValue()).append(']');
      }
      if (!o.aliases().isEmpty()) {
        sb.append(" (also --").append(String.join(", --", o.aliases())).append(')');
      }
      sb.append('\n');
    }
  }

  private static String wrap(String text, int indent) {
    StringBuilder sb = new StringBuilder();
    int col = indent;
    for (String word : text.split(" ")) {
      if (col + word.length() > 96 && col > indent) {
        sb.append('\n').append(" ".repeat(indent));
        col = indent;
      }
      sb.append(word).append(' ');
      col += word.length() + 1;
    }
    return sb.toString().trim();
  }
}
