package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.client.ClientShared;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.RunResult;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code resume}: subscribers drop their connections at random and come back.
 *
 * <p>Topology: N live subscribers of one topic while the tool publishes R/s for T seconds. Each
 * client closes its socket about every {@code --disconnect-every-ms} (uniformly 0.5 to 1.5 times
 * it) and reconnects after about {@code --reconnect-delay-ms} with {@code hello {resume: token,
 * positions: {topic: {epoch, seq}}}}; when the server answers {@code resumed: false} the client
 * subscribes {@code from} its position instead. Every client's accountant continues across its
 * connections, so a resumed stream that skips a change counts as lost and one that repeats a change
 * counts as doubled. After publishing the drops stop and the tool waits until every client has the
 * last seq. Question: does resume lose or double anything (docs/protocol.md §7)? Both must be 0.
 *
 * <p>With {@code --storm-away-ms}, a resume storm instead of the random drops: {@code
 * --storm-after-ms} into publishing every client closes cleanly at once, stays away that long
 * (missing rate × away changes) and comes back at the same instant; {@code --storms} of them,
 * {@code --storm-gap-ms} apart. Also reported: the time from each client's reconnect (TCP
 * connect, upgrade, hello, welcome, subscribed) to the welcome and to the first change on its new
 * socket, the first replayed one (issue 12, goal 6), over all storms and storm by storm.
 *
 * <p>Stateless; runs on the main thread.
 */
public final class ResumeScenario implements Scenario {

  @Override
  public String name() {
    return "resume";
  }

  @Override
  public String question() {
    return "When subscribers drop their connections at random and resume with token and positions, "
        + "are any changes lost or doubled? (must be 0 and 0)";
  }

  @Override
  public String topology() {
    return "one topic, --clients subscribers each closing its socket about every"
        + " --disconnect-every-ms and resuming after --reconnect-delay-ms, while --rate"
        + " changes/s are published for --duration s";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        Scenarios.defaultOf("clients", "50"),
        Scenarios.defaultOf("rate", "500"),
        Runs.disconnectEvery("3000"),
        Runs.reconnectDelay("200"),
        OptionSpec.flag(
            "no-token", "come back without the resume token: subscribe with from only"),
        OptionSpec.value(
            "storm-away-ms",
            "MS",
            "0",
            "a resume storm instead of random drops: every client away this long, back at once"),
        OptionSpec.value("storms", "N", "1", "resume storms, --storm-gap-ms apart"),
        OptionSpec.value(
            "storm-gap-ms",
            "MS",
            "5000",
            "time from a storm's comeback to the next storm, and to the end of publishing"),
        OptionSpec.value(
            "storm-after-ms", "MS", "5000", "publishing time before the first resume storm"));
  }

  @Override
  public int maxSockets(Options o) {
    return o.integer("clients", 1) * 2;
  }

  @Override
  public RunResult run(Harness h) {
    Options o = h.options();
    Runs.Load load = Runs.Load.of(o);
    int n = load.clients();
    long every = o.longValue("disconnect-every-ms", 10);
    long delay = o.longValue("reconnect-delay-ms", 0);
    RunResult r = Runs.newResult(this, h);

    h.connect(n, h.plan().reconnecting(!o.flag("no-token"), delay), false, "resume");
    if (!Runs.awaitAllLive(h, r, n)) {
      return Runs.finish(r, h);
    }
    h.sampler().phase("churn");
    Sampler.Mark start = h.sampler().mark();
    long away = o.longValue("storm-away-ms", 0);
    PublishReport p;
    int storms = 0;
    List<Histogram> perStorm = new ArrayList<>();
    if (away > 0) {
      Future<PublishReport> publishing =
          h.publishAsync(
              load.rate(), load.durationMs(), Long.MAX_VALUE, Runs.updates(o, load.size()));
      storms = storms(h, o, away, load.durationMs(), perStorm);
      p = h.awaitPublish(publishing, load.durationMs());
      perStorm.add(h.shared().backToChange().getIntervalHistogram());
    } else {
      h.shared().churn(true, every);
      p = h.publish(load.rate(), load.durationMs(), Long.MAX_VALUE, Runs.updates(o, load.size()));
      h.shared().churn(false, every);
    }
    h.sampler().phase("drain");
    int reached = h.awaitReached(p.lastSeq(), n, false, Runs.drainMs(o) + 2 * delay);
    Sampler.Mark end = Runs.stopMeasuring(h);

    List<ClientReport> reports = h.reports();
    long behind = 0;
    for (ClientReport c : reports) {
      behind += Runs.behind(c, h.topic(), p);
    }
    long lost = h.tally().gaps.sum() + behind;
    long doubled = h.tally().duplicates.sum();
    r.put(Figures.RUN, "subscribers", n);
    r.put(Figures.RUN, "mean ms between drops", every);
    r.put(Figures.RUN, "mean ms away", delay);
    Figures.publishing(r, p);
    r.put(Figures.RUN, "deliveries", Figures.sum(reports, ClientReport::received));
    r.put("resume", "reconnects", h.tally().reconnects.sum());
    r.put("resume", "resumed (welcome resumed:true)", h.tally().resumed.sum());
    r.put("resume", "refused (resumed:false, then subscribe from)", h.tally().resumeRefused.sum());
    r.put("resume", "continued by replay", h.tally().replays.sum());
    r.put("resume", "re-synced by snapshot", Math.max(0, h.tally().snapshots.sum() - n));
    r.put("resume", "changes lost", lost);
    r.put("resume", "changes doubled", doubled);
    r.put("resume", "changes still missing at the end", behind);
    r.put("resume", "clients at the last seq", reached);
    if (away > 0) {
      stormFigures(r, h, perStorm, storms, away, load.rate(), n);
    }
    Figures.latency(r, h.sampler().totalLatency());
    Figures.correctness(r, h.tally());
    Figures.cost(r, h, start, end);
    Figures.connections(r, h.tally());
    r.check(Check.equal("changes lost (gaps + missing at the end)", lost, 0));
    r.check(Check.equal("changes doubled", doubled, 0));
    r.check(
        Check.of(
            "clients did reconnect",
            h.tally().reconnects.sum() > 0,
            h.tally().reconnects.sum() + " reconnects"));
    r.check(Check.of("every client reached the last seq", reached == n, reached + " of " + n));
    if (h.tally().resumeRefused.sum() > 0 && h.tally().resumed.sum() == 0 && !o.flag("no-token")) {
      r.note(
          "the server never resumed a session (resumed:false every time): clients recovered with "
              + "subscribe {from}; session resume itself was not exercised");
    }
    return Runs.finish(r, h);
  }

  /**
   * The storms' figures: reconnect to first change over all of them and each apart (the first
   * also pays for the JIT compiling the resume path), reconnect to welcome, and the check that
   * every client back got a change.
   */
  private static void stormFigures(
      RunResult r,
      Harness h,
      List<Histogram> perStorm,
      int storms,
      long away,
      double rate,
      int clients) {
    Histogram back = new Histogram(1, ClientShared.HIGHEST_MICROS, 3);
    for (Histogram one : perStorm) {
      back.add(one);
    }
    r.put("storm", "storms", storms);
    r.put("storm", "ms away", away);
    r.put("storm", "changes missed per client", Math.round(rate * away / 1000.0));
    for (int p : new int[] {50, 90, 99}) {
      r.put("storm", "reconnect to first change p" + p + " ms", ms(back, p));
    }
    r.put("storm", "reconnect to first change max ms", Percentiles.round(back.getMaxValue() / 1e3));
    Histogram welcome = h.shared().backToWelcome().getIntervalHistogram();
    r.put("storm", "reconnect to welcome p50 ms", ms(welcome, 50));
    r.put("storm", "reconnect to welcome p99 ms", ms(welcome, 99));
    for (int k = 0; k < perStorm.size() && k < storms; k++) {
      Histogram one = perStorm.get(k);
      r.put("storm", "storm " + (k + 1) + ": p50 / p99 ms", ms(one, 50) + " / " + ms(one, 99));
    }
    long expected = (long) storms * clients;
    r.check(
        Check.of(
            "every client back from a storm got a change",
            storms > 0 && back.getTotalCount() == expected,
            back.getTotalCount() + " of " + expected));
  }

  private static double ms(Histogram h, double percentile) {
    return Percentiles.round(Percentiles.ms(h, percentile));
  }

  /**
   * Runs the storms that fit in publishing (each client back at least a storm gap before it
   * ends), on this thread, which only waits meanwhile, adding each storm's times but the last to
   * {@code perStorm}; returns how many there were.
   */
  private static int storms(
      Harness h, Options o, long away, long durationMs, List<Histogram> perStorm) {
    long t0 = System.nanoTime();
    long gap = o.longValue("storm-gap-ms", 0);
    long end = t0 + TimeUnit.MILLISECONDS.toNanos(durationMs - gap);
    long first = t0 + TimeUnit.MILLISECONDS.toNanos(o.longValue("storm-after-ms", 0));
    int wanted = o.integer("storms", 1);
    int held = 0;
    for (int k = 0; k < wanted; k++) {
      long dropAt = first + TimeUnit.MILLISECONDS.toNanos(k * (away + gap));
      long backAt = dropAt + TimeUnit.MILLISECONDS.toNanos(away);
      if (backAt > end) {
        break;
      }
      for (long now = System.nanoTime(); now < dropAt; now = System.nanoTime()) {
        LockSupport.parkNanos(dropAt - now);
      }
      if (k > 0) {
        // The last storm's clients are all back (a gap has passed): its times, apart.
        perStorm.add(h.shared().backToChange().getIntervalHistogram());
      }
      h.shared().storm(dropAt, backAt);
      held++;
    }
    return held;
  }
}
