package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.publish.ChangeBodies;
import io.slipstream.loadtest.publish.PublishPlan;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.RunResult;
import java.util.List;

/**
 * {@code fanout}: one topic, N subscribers, R changes a second of S bytes for T seconds.
 *
 * <p>Topology: N clients subscribe to one fresh topic and go live; then the tool publishes R
 * UPDATEs a second, round-robin over K keys, each row padded to S bytes and stamped with its send
 * time; then it waits (up to {@code --drain}) until every client has the last seq. Question: at
 * this load, what latency does each delivery see, what does each delivery cost the server, and does
 * every client get every change exactly once, in order? Passes when nothing is lost or doubled and
 * deliveries + named drops = N × published.
 *
 * <p>Stateless; runs on the main thread.
 */
public final class FanoutScenario implements Scenario {

  @Override
  public String name() {
    return "fanout";
  }

  @Override
  public String question() {
    return "At N subscribers and R changes/s of S bytes, what latency and what server CPU per "
        + "delivery, and does every client get every change once, in order?";
  }

  @Override
  public String topology() {
    return "one topic, --clients subscribers, the tool publishing --rate changes/s of --size bytes "
        + "for --duration s, then a drain until every client has the last seq";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of();
  }

  @Override
  public int maxSockets(Options o) {
    return o.integer("clients", 1);
  }

  @Override
  public RunResult run(Harness h) {
    Options o = h.options();
    int n = o.integer("clients", 1);
    double rate = o.decimal("rate", 0.001, 1e9);
    int size = o.integer("size", 0);
    long durationMs = (long) (o.decimal("duration", 0.1, 86_400) * 1000);
    RunResult r = Runs.newResult(this, h);

    h.log("connecting " + n + " subscribers to " + h.topic());
    h.connect(n, h.plan(), false, "sub");
    boolean live = h.awaitLive(n, Runs.connectTimeoutMs(n));
    r.check(
        Check.of(
            "all subscribers live before publishing",
            live,
            h.tally().live.get() + " of " + n + " live"));
    if (!live) {
      return Runs.finish(r, h);
    }

    h.sampler().phase("publish");
    long warmupMs = (long) (o.decimal("warmup", 0, 86_400) * 1000);
    h.sampler().measureLatencyFrom(warmupMs);
    java.util.concurrent.CompletableFuture<Sampler.Mark> start = h.sampler().markAfter(warmupMs);
    ChangeBodies bodies =
        new ChangeBodies(
            "UPDATE", size, o.integer("keys", 1), 0, 512 * 1024, o.integer("max-batch", 1));
    PublishReport p =
        h.publish(
            new PublishPlan(
                h.changesUrl(),
                h.publishHeaders(),
                rate,
                durationMs,
                Long.MAX_VALUE,
                1,
                bodies,
                true,
                h.stampDue()));
    h.sampler().phase("drain");
    int reached = h.awaitReached(p.lastSeq(), n, false, Runs.drainMs(o));
    Sampler.Mark end = h.sampler().mark();
    h.sampler().pauseTotal();

    List<ClientReport> reports = h.reports();
    long received = Figures.sum(reports, ClientReport::received);
    long dropped = Figures.sum(reports, ClientReport::droppedByServer);
    long expected = (long) n * p.accepted();
    r.put(Figures.RUN, "subscribers", n);
    r.put(Figures.RUN, "row bytes", size);
    Figures.publishing(r, p);
    r.put(Figures.RUN, "deliveries", received);
    r.put(Figures.RUN, "expected deliveries (N × published)", expected);
    r.put(Figures.RUN, "clients at the last seq", reached);
    Figures.latency(r, h.sampler().totalLatency());
    Figures.correctness(r, h.tally());
    Figures.cost(r, h, h.sampler().resolve(start), end);
    Figures.connections(r, h.tally());
    r.check(Check.of("every client reached the last seq", reached == n, reached + " of " + n));
    r.check(Check.equal("deliveries + named drops = N × published", received + dropped, expected));
    r.check(
        Check.of(
            "publishing succeeded",
            p.failedRequests() == 0 && p.accepted() > 0,
            p.failedRequests() + " failed requests, " + p.accepted() + " accepted"));
    return Runs.finish(r, h);
  }
}
