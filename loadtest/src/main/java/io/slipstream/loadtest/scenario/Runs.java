package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.report.RunResult;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Small steps every scenario takes the same way: a new result, bounded waits sized to the run, and
 * the final timeline.
 *
 * <p>Stateless.
 */
final class Runs {

  private Runs() {}

  static RunResult newResult(Scenario s, Harness h) {
    RunResult r =
        new RunResult(
            s.name(),
            s.question(),
            OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            h.options().effective());
    r.put(Figures.RUN, "server", h.endpoint().httpBase());
    r.put(Figures.RUN, "transport", h.options().string("transport"));
    r.put(Figures.RUN, "topic", h.topic());
    return r;
  }

  /** How long {@code n} clients may take to connect and go live: 20 s plus 5 ms a client. */
  static long connectTimeoutMs(int n) {
    return 20_000 + 5L * n;
  }

  /** {@code --drain} in milliseconds. */
  static long drainMs(Options o) {
    return (long) (o.decimal("drain", 0, 3600) * 1000);
  }

  /** Stops the sampler's clock for the result and attaches the timeline. */
  static RunResult finish(RunResult r, Harness h) {
    return r.timeline(h.sampler().samples());
  }
}
