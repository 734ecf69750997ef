package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.cli.UsageException;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.publish.ChangeBodies;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.RunResult;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;

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

  /** {@code --disconnect-every-ms}, for the scenarios whose clients drop their connections. */
  static OptionSpec disconnectEvery(String defaultMs) {
    return OptionSpec.value(
        "disconnect-every-ms", "MS", defaultMs, "mean time between a client's drops");
  }

  /** {@code --reconnect-delay-ms}, for the scenarios whose clients drop their connections. */
  static OptionSpec reconnectDelay(String defaultMs) {
    return OptionSpec.value(
        "reconnect-delay-ms", "MS", defaultMs, "mean time a dropped client stays away");
  }

  /**
   * The changes of {@code p} that client {@code c} had not applied at the end: from the one after
   * its last seq (or the first published) to the last published.
   */
  static long behind(ClientReport c, String topic, PublishReport p) {
    long last = c.last().getOrDefault(topic, -1L);
    return last < p.lastSeq() ? p.lastSeq() - Math.max(last, p.firstSeq() - 1) : 0;
  }

  /** How long {@code n} clients may take to connect and go live: 20 s plus 5 ms a client. */
  static long connectTimeoutMs(int n) {
    return 20_000 + 5L * n;
  }

  /** {@code --drain} in milliseconds. */
  static long drainMs(Options o) {
    return (long) (o.decimal("drain", 0, 3600) * 1000);
  }

  /**
   * The load most scenarios put on: {@code --clients}, {@code --rate}, {@code --size} and {@code
   * --duration} in milliseconds.
   */
  record Load(int clients, double rate, int size, long durationMs) {

    static Load of(Options o) {
      return new Load(
          o.integer("clients", 1),
          o.decimal("rate", 0.001, 1e9),
          o.integer("size", 0),
          (long) (o.decimal("duration", 0.1, 86_400) * 1000));
    }
  }

  /**
   * UPDATEs of {@code size} bytes, round-robin over {@code --keys}, up to {@code --max-batch}, with
   * padded or realistic rows ({@code --row-shape}).
   */
  static ChangeBodies updates(Options o, int size) {
    return new ChangeBodies(
            "UPDATE", size, o.integer("keys", 1), 0, 512 * 1024, o.integer("max-batch", 1))
        .realisticRows(realisticRows(o));
  }

  /** Whether {@code --row-shape} is {@code realistic} (else {@code padded}). */
  static boolean realisticRows(Options o) {
    String rows = o.string("row-shape");
    if (!rows.equals("padded") && !rows.equals("realistic")) {
      throw new UsageException("--row-shape must be padded or realistic, was " + rows);
    }
    return rows.equals("realistic");
  }

  /** Waits until {@code n} subscribers are live and checks that they all are. */
  static boolean awaitAllLive(Harness h, RunResult r, int n) {
    return awaitAllLive(h, r, n, "");
  }

  /** As {@link #awaitAllLive(Harness, RunResult, int)}, {@code suffix} ending the check's detail. */
  static boolean awaitAllLive(Harness h, RunResult r, int n, String suffix) {
    boolean live = h.awaitLive(n, connectTimeoutMs(n));
    r.check(
        Check.of(
            "all subscribers live before publishing",
            live,
            h.tally().live.get() + " of " + n + suffix));
    return live;
  }

  /**
   * Enters the {@code publish} phase and measures latency after {@code --warmup}; the future is
   * the mark where measuring begins.
   */
  static CompletableFuture<Sampler.Mark> measureAfterWarmup(Harness h, Options o) {
    h.sampler().phase("publish");
    long warmupMs = (long) (o.decimal("warmup", 0, 86_400) * 1000);
    h.sampler().measureLatencyFrom(warmupMs);
    return h.sampler().markAfter(warmupMs);
  }

  /** Ends the measured span: the mark where it ends, and the total latency stops. */
  static Sampler.Mark stopMeasuring(Harness h) {
    Sampler.Mark end = h.sampler().mark();
    h.sampler().pauseTotal();
    return end;
  }

  /** Checks that every publishing request succeeded and at least one change was accepted. */
  static void checkPublished(RunResult r, PublishReport p) {
    r.check(
        Check.of(
            "publishing succeeded",
            p.failedRequests() == 0 && p.accepted() > 0,
            p.failedRequests() + " failed requests, " + p.accepted() + " accepted"));
  }

  /** Stops the sampler's clock for the result and attaches the timeline. */
  static RunResult finish(RunResult r, Harness h) {
    return r.timeline(h.sampler().samples());
  }
}
