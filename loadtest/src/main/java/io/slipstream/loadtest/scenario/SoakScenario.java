package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.cli.UsageException;
import io.slipstream.loadtest.client.Churn;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.report.Check;
import io.slipstream.loadtest.report.ResourceSample;
import io.slipstream.loadtest.report.RunResult;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code soak}: churning clients under steady publishing, for a long time, watching the server's
 * resources.
 *
 * <p>Topology: N subscribers of one topic. While the tool publishes R changes/s for T seconds (R
 * given, or a share of a saturation rate measured by {@code saturate}), each client drops its
 * connection about every {@code --disconnect-every-ms}: by a clean close, by a TCP reset, or by
 * giving the socket up while it is still open ({@link Churn.Kind}), weighted by {@code
 * --drop-mix}. It comes back after about {@code --reconnect-delay-ms} with {@code hello {resume,
 * positions}}, or, for a {@code --fresh-share} of the drops, as a new client (new session,
 * snapshot). Every {@code --sample-every} seconds the tool reads the server's heap after a full GC,
 * RSS, open file descriptors and threads ({@code --server-pid}), and its sessions and connections
 * ({@code GET /metrics}, {@code GET /api/connections}). After publishing the drops stop, every
 * client must reach the last seq, then every client closes and the server must let go of every
 * connection. Question: over a long run of churn, does the server stay bounded (heap after GC flat:
 * its least-squares slope per minute; fds, threads, sessions and connections level), and does
 * every client still get every change exactly once?
 *
 * <p>Stateless; runs on the main thread.
 */
public final class SoakScenario implements Scenario {

  /** Sockets per client the WebSocket pools allow: the live one and those given up. */
  private static final int SOCKETS_PER_CLIENT = 6;

  /** Longest wait for the server to let go of every connection after the clients closed. */
  private static final long RELEASE_TIMEOUT_MS = 15_000;

  /** How long a resumed client waits for its restored {@code subscribed} (Subscriber). */
  private static final long RESTORE_WAIT_MS = 5_000;

  /** Clients named in a failed check's detail, at most. */
  private static final int NAMED = 10;

  @Override
  public String name() {
    return "soak";
  }

  @Override
  public String question() {
    return "Over a long run of clients dropping (clean, reset, vanished) and resuming or starting"
        + " fresh under steady publishing, does the server stay bounded (heap after GC, fds,"
        + " threads, sessions, connections) while every client still gets every change exactly"
        + " once?";
  }

  @Override
  public String topology() {
    return "one topic, --clients subscribers each dropping its socket about every"
        + " --disconnect-every-ms (--drop-mix clean:reset:vanish) and resuming with token and"
        + " positions after --reconnect-delay-ms (a --fresh-share as new clients), while --rate"
        + " changes/s (or --share of --saturation) are published for --duration s; the server's"
        + " resources read every --sample-every s";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        Scenarios.defaultOf("rate", "200"),
        Scenarios.defaultOf("duration", "1800"),
        OptionSpec.value(
            "share",
            "RATIO",
            null,
            "publish at this share (0-1] of --saturation instead of --rate"),
        OptionSpec.value(
            "saturation",
            "R|FILE",
            null,
            "the saturation publish rate, changes/s: a number, or the result.json of a saturate"
                + " run (its 'at publish rate /s')"),
        Runs.disconnectEvery("10000"),
        Runs.reconnectDelay("200"),
        OptionSpec.value(
            "drop-mix",
            "C:R:V",
            "2:1:1",
            "weights of clean closes, TCP resets and sockets given up while still open"),
        OptionSpec.value(
            "fresh-share",
            "RATIO",
            "0.1",
            "share of drops after which the client comes back as a new client (no token, no"
                + " position: a new session and a snapshot)"),
        OptionSpec.value(
            "sample-every", "SECONDS", "5", "read the server's resources this often"),
        OptionSpec.value(
            "heap",
            "jcmd|metrics|none",
            "jcmd",
            "heap after GC from jcmd GC.run + GC.heap_info (needs --server-pid; a full GC per"
                + " reading) or from /metrics jvm_gc_live_data_size_bytes"),
        OptionSpec.value(
            "max-heap-slope",
            "MIB_PER_MIN",
            null,
            "fail when heap after GC grows faster than this over the second half of the run"));
  }

  @Override
  public void validate(Options o) {
    rate(o);
    churn(o);
    heap(o);
    o.decimal("sample-every", 1, 3600);
    if (o.given("max-heap-slope")) {
      o.decimal("max-heap-slope", -1e6, 1e6);
    }
  }

  @Override
  public int maxSockets(Options o) {
    return o.integer("clients", 1) * SOCKETS_PER_CLIENT;
  }

  /** The publish rate: {@code --rate}, or {@code --share} of {@code --saturation}. */
  static double rate(Options o) {
    if (!o.given("share")) {
      if (o.given("saturation")) {
        throw new UsageException("--saturation is used with --share");
      }
      return o.decimal("rate", 0.001, 1e9);
    }
    if (o.given("rate")) {
      throw new UsageException("give --rate or --share with --saturation, not both");
    }
    double share = o.decimal("share", 0.001, 1);
    String s = o.string("saturation");
    if (s == null) {
      throw new UsageException(
          "--share needs --saturation: a rate in changes/s, or a saturate run's result.json");
    }
    return share * saturation(s);
  }

  /**
   * A saturation rate in changes/s: {@code value} itself, or the {@code "at publish rate /s"} of
   * the {@code saturate} result.json it names.
   */
  static double saturation(String value) {
    try {
      double d = Double.parseDouble(value);
      if (!(d > 0 && d < 1e9)) {
        throw new UsageException("--saturation must be above 0 changes/s, was " + value);
      }
      return d;
    } catch (NumberFormatException e) {
      // a file
    }
    JsonObject doc;
    try {
      doc = new JsonObject(Files.readString(Path.of(value), StandardCharsets.UTF_8));
    } catch (IOException | DecodeException | ClassCastException e) {
      throw new UsageException(
          "--saturation is neither a number nor a readable result.json: " + value);
    }
    JsonObject run = doc.getJsonObject("results", new JsonObject()).getJsonObject("run");
    Object rate = run == null ? null : run.getValue("at publish rate /s");
    if (!"saturate".equals(doc.getString("scenario")) || !(rate instanceof Number)) {
      throw new UsageException(
          "--saturation " + value + " is not the result of a saturate run that sustained a step");
    }
    return ((Number) rate).doubleValue();
  }

  static Churn churn(Options o) {
    try {
      return Churn.of(
          o.longValue("disconnect-every-ms", 10),
          o.string("drop-mix"),
          o.decimal("fresh-share", 0, 1));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--drop-mix: " + e.getMessage());
    }
  }

  private static ResourceProbe.Heap heap(Options o) {
    try {
      return ResourceProbe.Heap.parse(o.string("heap"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Override
  public RunResult run(Harness h) {
    Options o = h.options();
    int n = o.integer("clients", 1);
    double rate = rate(o);
    long durationMs = (long) (o.decimal("duration", 0.1, 86_400) * 1000);
    long delay = o.longValue("reconnect-delay-ms", 0);
    long sampleMs = (long) (o.decimal("sample-every", 1, 3600) * 1000);
    Churn churn = churn(o);
    RunResult r = Runs.newResult(this, h);
    ResourceProbe probe = new ResourceProbe(h, heap(o));
    // Bounded by the run: --duration / --sample-every readings plus four (at most 86,404).
    List<ResourceSample> series = new ArrayList<>();
    series.add(probe.take("before", false));

    h.connect(n, h.plan().reconnecting(true, delay), false, "soak");
    if (!Runs.awaitAllLive(h, r, n)) {
      return finish(r, h, series);
    }
    series.add(probe.take("connected", false));
    h.sampler().phase("soak");
    Sampler.Mark start = h.sampler().mark();
    h.shared().churn(true, churn);
    Future<PublishReport> publishing =
        h.publishAsync(rate, durationMs, Long.MAX_VALUE, Runs.updates(o, o.integer("size", 0)));
    sampleWhilePublishing(h, probe, series, publishing, sampleMs, durationMs);
    PublishReport p = h.awaitPublish(publishing, durationMs);
    h.shared().churn(false, churn);

    h.sampler().phase("drain");
    int reached =
        h.awaitReached(p.lastSeq(), n, false, Runs.drainMs(o) + 2 * delay + RESTORE_WAIT_MS);
    Sampler.Mark end = Runs.stopMeasuring(h);
    series.add(probe.take("drained", false));
    List<ClientReport> reports = h.reports();

    h.sampler().phase("closed");
    h.stopClients();
    long stillHeld = awaitReleased(h, probe);
    series.add(probe.take("closed", false));

    r.put(Figures.RUN, "subscribers", n);
    r.put(Figures.RUN, "rate asked /s", rate);
    r.put(Figures.RUN, "mean ms between drops", churn.meanMs());
    r.put(Figures.RUN, "mean ms away", delay);
    r.put(Figures.RUN, "drop mix clean:reset:vanish", churn.mix());
    r.put(Figures.RUN, "fresh share", churn.freshShare());
    Figures.publishing(r, p);
    r.put(Figures.RUN, "deliveries", Figures.sum(reports, ClientReport::received));
    churnFigures(r, h, churn);
    SoakFigures.resources(r, series, probe.heapSource(), stillHeld);
    SoakFigures.clients(r, h.topic(), reports, p, reached, NAMED, c -> Map.of());
    Runs.checkPublished(r, p);
    Figures.latency(r, h.sampler().totalLatency());
    Figures.correctness(r, h.tally());
    Figures.cost(r, h, start, end);
    Figures.connections(r, h.tally());
    r.check(
        Check.of(
            "clients did reconnect",
            h.tally().reconnects.sum() > 0,
            h.tally().reconnects.sum() + " reconnects"));
    if (stillHeld >= 0) {
      r.check(
          Check.equal(
              "the server let go of every connection once the clients closed", stillHeld, 0));
    } else {
      r.note(
          "the server's /metrics has no slipstream_connections: released connections not checked");
    }
    if (o.given("max-heap-slope")) {
      SoakFigures.checkHeapSlope(r, series, o.decimal("max-heap-slope", -1e6, 1e6));
    }
    for (String e : h.shared().errors()) {
      r.note("client error: " + e);
    }
    return finish(r, h, series);
  }

  /**
   * Reads the resources every {@code sampleMs} until publishing ends, printing each reading;
   * bounded by the publishing time plus a minute.
   */
  private static void sampleWhilePublishing(
      Harness h,
      ResourceProbe probe,
      List<ResourceSample> series,
      Future<PublishReport> publishing,
      long sampleMs,
      long durationMs) {
    long now = System.nanoTime();
    long deadline = now + (durationMs + 60_000) * 1_000_000L;
    long next = now + sampleMs * 1_000_000L;
    while (!publishing.isComplete() && System.nanoTime() < deadline) {
      long wait = (next - System.nanoTime()) / 1_000_000L;
      if (wait > 0) {
        Harness.sleep(Math.min(wait, 200));
        continue;
      }
      ResourceSample s = probe.take("soak", true);
      series.add(s);
      h.log(ResourceProbe.line(s, SoakFigures.heapSlope(series, false)));
      // A slow reading (jcmd) shifts the schedule rather than bunching readings up.
      next = Math.max(next + sampleMs * 1_000_000L, System.nanoTime());
    }
  }

  /**
   * Waits until the server's {@code slipstream_connections} is 0; returns what it holds at the end
   * of the wait, or -1 when {@code /metrics} has no such gauge.
   */
  private static long awaitReleased(Harness h, ResourceProbe probe) {
    long deadline = System.nanoTime() + RELEASE_TIMEOUT_MS * 1_000_000L;
    while (true) {
      long held = probe.serverConnections();
      if (held <= 0 || System.nanoTime() > deadline) {
        return held;
      }
      Harness.sleep(200);
    }
  }

  private static void churnFigures(RunResult r, Harness h, Churn churn) {
    String c = "churn";
    r.put(c, "drops: clean close", h.tally().dropsClean.sum());
    r.put(c, "drops: TCP reset", h.tally().dropsReset.sum());
    r.put(c, "drops: socket given up while open", h.tally().dropsVanish.sum());
    r.put(c, "drops followed by a fresh start", h.tally().freshStarts.sum());
    r.put(c, "reconnects", h.tally().reconnects.sum());
    r.put(c, "resumed (welcome resumed:true)", h.tally().resumed.sum());
    r.put(c, "refused (resumed:false, then subscribe from)", h.tally().resumeRefused.sum());
    r.put(c, "continued by replay", h.tally().replays.sum());
    r.put(c, "by snapshot (first subscriptions, fresh starts, resets)", h.tally().snapshots.sum());
    for (Map.Entry<Integer, Long> e : h.tally().abandonedClosesByCode().entrySet()) {
      r.put(c, "given-up sockets then closed " + e.getKey(), e.getValue());
    }
    if (churn.reset() > 0 && h.tally().dropsReset.sum() == 0 && h.tally().dropsClean.sum() > 0) {
      r.note(
          "no TCP reset was made although --drop-mix asks for them: this Vert.x does not expose"
              + " its channel, so those drops closed cleanly");
    }
    if (h.tally().resumed.sum() == 0 && h.tally().reconnects.sum() > 0) {
      r.note(
          "the server never resumed a session (resumed:false every time): clients recovered with "
              + "subscribe {from}; session resume itself was not exercised");
    }
  }

  private static RunResult finish(RunResult r, Harness h, List<ResourceSample> series) {
    return Runs.finish(r, h).resources(series);
  }
}
