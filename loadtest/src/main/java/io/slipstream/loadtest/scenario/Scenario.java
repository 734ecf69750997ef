package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.report.RunResult;
import java.util.List;

/**
 * One benchmark: a topology of clients and publisher, run on a {@link Harness}, answering one
 * question with a {@link RunResult}.
 *
 * <p>Implementations are stateless; {@link #run} is called once per process, on the main thread.
 */
public interface Scenario {

  /** The name on the command line. */
  String name();

  /** The question the scenario answers, one sentence. */
  String question();

  /** The topology and procedure, a few lines for {@code --help}. */
  String topology();

  /**
   * The scenario's own options, and common options whose default it changes (same name, other
   * default).
   */
  List<OptionSpec> options();

  /** Whether the scenario talks to a Slipstream server (false for {@code raw}). */
  default boolean slipstream() {
    return true;
  }

  /**
   * Checks the options before anything starts.
   *
   * @throws io.slipstream.loadtest.cli.UsageException naming the option that is wrong
   */
  default void validate(Options options) {}

  /**
   * How many sockets the run opens at most, to size the WebSocket clients' pools; by default
   * {@code --clients}.
   */
  default int maxSockets(Options options) {
    return options.integer("clients", 1);
  }

  /** Runs the scenario. */
  RunResult run(Harness h);
}
