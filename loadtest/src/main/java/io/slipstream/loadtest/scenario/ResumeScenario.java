package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.RunResult;
import java.util.List;

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
            "no-token", "come back without the resume token: subscribe with from only"));
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
    h.shared().churn(true, every);
    PublishReport p =
        h.publish(load.rate(), load.durationMs(), Long.MAX_VALUE, Runs.updates(o, load.size()));
    h.shared().churn(false, every);
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
}
