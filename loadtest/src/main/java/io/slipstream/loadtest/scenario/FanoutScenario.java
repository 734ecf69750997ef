package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.RunResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code fanout}: one topic, N subscribers, R changes a second of S bytes for T seconds.
 *
 * <p>Topology: N clients subscribe to one fresh topic and go live; then the tool publishes R
 * UPDATEs a second, round-robin over K keys, each row padded to S bytes and stamped with its send
 * time; then it waits (up to {@code --drain}) until every client has the last seq. Question: at
 * this load, what latency does each delivery see, what does each delivery cost the server, and does
 * every client get every change exactly once, in order? With {@code --deflate} and {@code --row-shape
 * realistic} it also answers what permessage-deflate saves on the wire and costs in CPU (bytes on
 * the wire per delivery, from the server's {@code slipstream_ws_bytes_written_total}). Passes when
 * nothing is lost or doubled and deliveries + named drops = N × published.
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
  public RunResult run(Harness h) {
    Options o = h.options();
    Runs.Load load = Runs.Load.of(o);
    int n = load.clients();
    RunResult r = Runs.newResult(this, h);

    h.log("connecting " + n + " subscribers to " + h.topic());
    h.connect(n, h.plan(), false, "sub");
    if (!Runs.awaitAllLive(h, r, n, " live")) {
      return Runs.finish(r, h);
    }

    Figures.Wire wireBefore = Figures.Wire.read(h);
    CompletableFuture<Sampler.Mark> start = Runs.measureAfterWarmup(h, o);
    PublishReport p =
        h.publish(load.rate(), load.durationMs(), Long.MAX_VALUE, Runs.updates(o, load.size()));
    h.sampler().phase("drain");
    int reached = h.awaitReached(p.lastSeq(), n, false, Runs.drainMs(o));
    Sampler.Mark end = Runs.stopMeasuring(h);
    Figures.Wire wireAfter = Figures.Wire.read(h);

    List<ClientReport> reports = h.reports();
    long received = Figures.sum(reports, ClientReport::received);
    long dropped = Figures.sum(reports, ClientReport::droppedByServer);
    long expected = (long) n * p.accepted();
    r.put(Figures.RUN, "subscribers", n);
    r.put(Figures.RUN, "row bytes", load.size());
    Figures.publishing(r, p);
    r.put(Figures.RUN, "deliveries", received);
    r.put(Figures.RUN, "expected deliveries (N × published)", expected);
    r.put(Figures.RUN, "clients at the last seq", reached);
    Figures.latency(r, h.sampler().totalLatency());
    Figures.correctness(r, h.tally());
    Figures.cost(r, h, h.sampler().resolve(start), end);
    Figures.wire(r, h, wireBefore, wireAfter);
    Figures.connections(r, h.tally());
    r.check(Check.of("every client reached the last seq", reached == n, reached + " of " + n));
    r.check(Check.equal("deliveries + named drops = N × published", received + dropped, expected));
    Runs.checkPublished(r, p);
    return Runs.finish(r, h);
  }
}
