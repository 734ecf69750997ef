package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.cli.UsageException;
import io.slipstream.loadtest.client.ClientPlan;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.client.Endpoint;
import io.slipstream.loadtest.publish.PublishPlan;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.publish.RawBodies;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.RunResult;
import io.slipstream.loadtest.wire.Transport;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code raw}: the fan-out topology against any plain WebSocket server that pushes to its clients
 * what is POSTed to an HTTP URL, so another server can be compared on the same machine with one
 * command.
 *
 * <p>Topology: N clients connect to {@code --ws-url} (optionally sending {@code --raw-hello}); the
 * tool POSTs R messages a second to {@code --post-url}, each {@code {"t":<micros>,"n":<counter>,
 * "p":"…"}} of S bytes; every text frame a client receives that carries {@code "n":} counts once,
 * and its {@code "t":} gives the latency. Question: what latency and CPU per delivery does that
 * server show at this load, and does every client get every message once?
 *
 * <p>Stateless; runs on the main thread.
 */
public final class RawScenario implements Scenario {

  @Override
  public String name() {
    return "raw";
  }

  @Override
  public String question() {
    return "The fan-out test against any WebSocket server that pushes what is POSTed to a URL: "
        + "latency, CPU per delivery, and every message delivered once?";
  }

  @Override
  public String topology() {
    return "--clients sockets on --ws-url; --rate POSTs/s of --size bytes to --post-url for"
        + " --duration s; each frame carrying \"n\": is one delivery, its \"t\": the send"
        + " time";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.value(
            "ws-url", "URL", null, "the WebSocket to listen on, e.g. ws://127.0.0.1:9000/ws"),
        OptionSpec.value(
            "post-url",
            "URL",
            null,
            "where messages are POSTed, e.g. http://127.0.0.1:9000/publish"),
        OptionSpec.value(
            "raw-hello", "TEXT", null, "a text message each client sends after connecting"),
        OptionSpec.value("inflight", "N", "1", "POSTs in flight at once"),
        OptionSpec.value("settle-ms", "MS", "500", "wait after connecting before publishing"));
  }

  @Override
  public void validate(Options o) {
    String wsUrl = o.string("ws-url");
    String postUrl = o.string("post-url");
    if (wsUrl == null || postUrl == null) {
      throw new UsageException("raw needs --ws-url and --post-url");
    }
    try {
      Endpoint.parse(wsUrl, "ws-url");
      Endpoint.parse(postUrl, "post-url");
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Override
  public boolean slipstream() {
    return false;
  }

  @Override
  public RunResult run(Harness h) {
    Options o = h.options();
    Runs.Load load = Runs.Load.of(o);
    int n = load.clients();
    int size = load.size();
    String wsUrl = o.string("ws-url");
    String postUrl = o.string("post-url");
    if (wsUrl == null || postUrl == null) {
      throw new UsageException("raw needs --ws-url and --post-url");
    }
    Endpoint ws;
    try {
      ws = Endpoint.parse(wsUrl, "ws-url");
      Endpoint.parse(postUrl, "post-url");
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    RunResult r = Runs.newResult(this, h);
    r.put(Figures.RUN, "ws url", wsUrl);
    r.put(Figures.RUN, "post url", postUrl);
    ClientPlan plan =
        ClientPlan.fast(ws, Transport.WS, ws.path(), "", List.of("raw")).raw(o.string("raw-hello"));
    h.connectRaw(n, plan);
    boolean open = h.await(() -> h.tally().open.get() >= n, Runs.connectTimeoutMs(n));
    r.check(Check.of("all clients connected", open, h.tally().open.get() + " of " + n));
    if (!open) {
      return Runs.finish(r, h);
    }
    Harness.sleep(o.longValue("settle-ms", 0));
    CompletableFuture<Sampler.Mark> start = Runs.measureAfterWarmup(h, o);
    PublishReport p =
        h.publish(
            new PublishPlan(
                postUrl,
                h.publishHeaders(),
                load.rate(),
                load.durationMs(),
                Long.MAX_VALUE,
                o.integer("inflight", 1),
                new RawBodies(size),
                false,
                h.stampDue()));
    h.sampler().phase("drain");
    long expected = (long) n * p.accepted();
    h.await(() -> h.tally().received.sum() >= expected, Runs.drainMs(o));
    Sampler.Mark end = Runs.stopMeasuring(h);
    List<ClientReport> reports = h.reports();
    long received = Figures.sum(reports, ClientReport::received);
    long dups = Figures.sum(reports, ClientReport::duplicates);
    r.put(Figures.RUN, "clients", n);
    r.put(Figures.RUN, "message bytes", size);
    Figures.publishing(r, p);
    r.put(Figures.RUN, "deliveries (distinct)", received);
    r.put(Figures.RUN, "expected (N × published)", expected);
    r.put(Figures.CORRECTNESS, "missing", expected - received);
    r.put(Figures.CORRECTNESS, "duplicates", dups);
    r.put(Figures.CORRECTNESS, "arrived after a higher number", h.rawReordered());
    Figures.latency(r, h.sampler().totalLatency());
    Figures.cost(r, h, h.sampler().resolve(start), end);
    Figures.connections(r, h.tally());
    r.check(Check.equal("no message missing", expected - received, 0));
    r.check(Check.equal("no message doubled", dups, 0));
    Runs.checkPublished(r, p);
    return Runs.finish(r, h);
  }
}
