package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.accounting.Tally;
import io.slipstream.loadtest.client.ClientShared;
import io.slipstream.loadtest.client.ClientVerticle;
import io.slipstream.loadtest.proc.ProcessProbe;
import io.slipstream.loadtest.publish.Publisher;
import io.slipstream.loadtest.report.Percentiles;
import io.slipstream.loadtest.report.Sample;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Once a second: collects the latency recorded by every client verticle, reads the run's counters
 * and the server's and the tool's CPU and memory, appends a {@link Sample} and prints a progress
 * line on stderr.
 *
 * <p>Runs on its own daemon thread, the only reader of the verticles' latency recorders. The public
 * methods are thread-safe (guarded by {@code this}); the harness calls them from the main thread
 * between phases.
 */
public final class Sampler {

  /** A point-in-time reading, to measure CPU and deliveries between two moments. */
  public record Mark(
      long nanoTime,
      long delivered,
      double serverCpu,
      double toolCpu,
      Map<String, Double> serverThreads,
      Map<String, Double> toolThreads) {}

  private record PendingMark(long atNanos, CompletableFuture<Mark> future) {}

  private final List<ClientVerticle> verticles;
  private final Publisher publisher;
  private final Tally tally;
  private final ProcessProbe server;
  private final ProcessProbe self = ProcessProbe.self();
  private final PrintStream progress;
  private final long startNanos = System.nanoTime();
  private final Histogram[] recycle;
  private final List<Sample> samples = new ArrayList<>();
  private final Histogram total = newHistogram();
  private final Histogram phase = newHistogram();

  /** Latencies drained between samples (by a phase read), counted in the next sample. */
  private final Histogram carried = newHistogram();

  private final Thread thread;

  /** Marks to take at a later sample ({@link #markAfter}). */
  private final List<PendingMark> pendingMarks = new ArrayList<>();

  private volatile boolean running = true;
  private volatile Supplier<ServerView> serverView;
  private String phaseName = "connect";
  private boolean recordTotal = true;
  private long recordTotalFromNanos;
  private double peakRssMb = Double.NaN;

  private long lastNanos = startNanos;
  private long lastPublished;
  private long lastDelivered;
  private long lastDropped;
  private ProcessProbe.Sample lastServer;
  private ProcessProbe.Sample lastSelf;

  /**
   * Starts sampling.
   *
   * @param server the server process, or null when {@code --server-pid} is not given
   * @param progress where the progress line goes, or null for none
   */
  public Sampler(
      List<ClientVerticle> verticles,
      Publisher publisher,
      ClientShared shared,
      ProcessProbe server,
      PrintStream progress) {
    this.verticles = verticles;
    this.publisher = publisher;
    this.tally = shared.tally();
    this.server = server;
    this.progress = progress;
    this.recycle = new Histogram[verticles.size()];
    this.lastServer = server == null ? null : server.sample();
    this.lastSelf = self.sample();
    this.thread = new Thread(this::loop, "loadtest-sampler");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private static Histogram newHistogram() {
    return new Histogram(1, ClientShared.HIGHEST_MICROS, 3);
  }

  private void loop() {
    long next = System.nanoTime() + 1_000_000_000L;
    while (running) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(Math.max(1, wait / 1_000_000L));
        } catch (InterruptedException e) {
          return;
        }
        continue;
      }
      next += 1_000_000_000L;
      sample();
    }
  }

  /** Takes one sample now (also called once more when the run stops). */
  synchronized void sample() {
    long now = System.nanoTime();
    resolveDueMarks(now);
    double dt = Math.max(1e-3, (now - lastNanos) / 1e9);
    Histogram interval = drain();
    interval.add(carried);
    carried.reset();
    long published = publisher.accepted();
    long delivered = tally.received.sum();
    long dropped = tally.droppedByServer.sum();
    ProcessProbe.Sample srv = server == null ? null : server.sample();
    ProcessProbe.Sample me = self.sample();
    double serverCpu = cores(lastServer, srv);
    double toolCpu = cores(lastSelf, me);
    ServerView view = serverView == null ? null : serverView.get();
    double rssMb = srv == null ? Double.NaN : srv.rssBytes() / 1048576.0;
    if (!Double.isNaN(rssMb) && (Double.isNaN(peakRssMb) || rssMb > peakRssMb)) {
      peakRssMb = rssMb;
    }
    Sample s =
        new Sample(
            Math.round((now - startNanos) / 1e8) / 10.0, // as elapsedSeconds()
            phaseName,
            tally.open.get(),
            tally.live.get(),
            published,
            (published - lastPublished) / dt,
            delivered,
            (delivered - lastDelivered) / dt,
            dropped,
            (dropped - lastDropped) / dt,
            tally.gaps.sum(),
            tally.duplicates.sum(),
            tally.closes(4001),
            tally.reconnects.sum(),
            interval.getTotalCount(),
            Percentiles.ms(interval, 50),
            Percentiles.ms(interval, 90),
            Percentiles.ms(interval, 99),
            Percentiles.ms(interval, 99.9),
            interval.getTotalCount() == 0 ? Double.NaN : interval.getMaxValue() / 1000.0,
            serverCpu,
            rssMb,
            toolCpu,
            view == null ? -1 : view.pending(),
            view == null ? -1 : view.dropped(),
            view == null ? Double.NaN : view.maxFill());
    samples.add(s);
    lastNanos = now;
    lastPublished = published;
    lastDelivered = delivered;
    lastDropped = dropped;
    if (srv != null) {
      lastServer = srv;
    }
    if (me != null) {
      lastSelf = me;
    }
    if (progress != null) {
      progress.println(line(s));
    }
  }

  private static double cores(ProcessProbe.Sample a, ProcessProbe.Sample b) {
    if (a == null || b == null || b.nanoTime() <= a.nanoTime()) {
      return Double.NaN;
    }
    return (b.cpuSeconds() - a.cpuSeconds()) / ((b.nanoTime() - a.nanoTime()) / 1e9);
  }

  static String line(Sample s) {
    StringBuilder sb = new StringBuilder(160);
    sb.append(
        String.format(
            Locale.ROOT,
            "[%6.1fs] %-10s open=%d live=%d pub=%.0f/s deliv=%.0f/s",
            s.t(),
            s.phase(),
            s.open(),
            s.live(),
            s.publishedPerSec(),
            s.deliveredPerSec()));
    if (s.latencyCount() > 0) {
      sb.append(
          String.format(
              Locale.ROOT, " p50=%.2fms p99=%.2fms max=%.1fms", s.p50(), s.p99(), s.max()));
    }
    if (s.droppedByServer() > 0) {
      sb.append(" dropped=").append(s.droppedByServer());
    }
    if (s.gaps() > 0 || s.duplicates() > 0) {
      sb.append(" GAPS=").append(s.gaps()).append(" DUPS=").append(s.duplicates());
    }
    if (s.closes4001() > 0) {
      sb.append(" 4001=").append(s.closes4001());
    }
    if (!Double.isNaN(s.serverCpu())) {
      sb.append(
          String.format(
              Locale.ROOT, " srvCPU=%.0f%% RSS=%.0fMiB", s.serverCpu() * 100, s.serverRssMb()));
    }
    if (!Double.isNaN(s.toolCpu())) {
      sb.append(String.format(Locale.ROOT, " toolCPU=%.0f%%", s.toolCpu() * 100));
    }
    return sb.toString();
  }

  /** Sums over the server's connections, from {@code GET /api/connections}. */
  public record ServerView(int connections, long pending, long dropped, double maxFill) {}

  /** Also samples the server's view of its connections every second (null stops it). */
  public void sampleServerView(Supplier<ServerView> source) {
    this.serverView = source;
  }

  /** Labels the following samples {@code name} and starts a new phase histogram. */
  public synchronized void phase(String name) {
    phaseName = name;
    phase.reset();
  }

  /** Latencies recorded since the last {@link #phase} call (a copy). */
  public synchronized Histogram phaseLatency() {
    sampleLatencyOnly();
    return phase.copy();
  }

  /** Latencies of the whole measured run (a copy). */
  public synchronized Histogram totalLatency() {
    sampleLatencyOnly();
    return total.copy();
  }

  /** Records the run-wide latency only from {@code delayMs} from now (warm-up). */
  public synchronized void measureLatencyFrom(long delayMs) {
    total.reset();
    recordTotal = true;
    recordTotalFromNanos = System.nanoTime() + delayMs * 1_000_000L;
  }

  /** Stops adding to the run-wide latency (e.g. during a drain that is not part of the test). */
  public synchronized void pauseTotal() {
    sampleLatencyOnly();
    recordTotal = false;
  }

  private void sampleLatencyOnly() {
    carried.add(drain());
  }

  /**
   * Takes what the verticles recorded since the last drain, adds it to the run-wide and phase
   * histograms, and returns it.
   */
  private Histogram drain() {
    Histogram fresh = newHistogram();
    for (int i = 0; i < verticles.size(); i++) {
      Histogram h = verticles.get(i).intervalLatency(recycle[i]);
      fresh.add(h);
      recycle[i] = h;
    }
    if (recordTotal && System.nanoTime() >= recordTotalFromNanos) {
      total.add(fresh);
    }
    phase.add(fresh);
    return fresh;
  }

  /**
   * A mark taken {@code delayMs} from now, by the sampler thread (so the main thread can go on
   * publishing): the start of a measured window that leaves out a warm-up. Resolved at the first
   * sample at or after that time; {@link #resolve} resolves it now if it is still pending.
   */
  public synchronized CompletableFuture<Mark> markAfter(long delayMs) {
    CompletableFuture<Mark> f = new CompletableFuture<>();
    if (delayMs <= 0) {
      f.complete(mark());
      return f;
    }
    pendingMarks.add(new PendingMark(System.nanoTime() + delayMs * 1_000_000L, f));
    return f;
  }

  /** The mark {@code f}, taking it now if its time has not come. */
  public Mark resolve(CompletableFuture<Mark> f) {
    synchronized (this) {
      if (!f.isDone()) {
        f.complete(mark());
      }
    }
    return f.join();
  }

  private void resolveDueMarks(long now) {
    for (Iterator<PendingMark> it = pendingMarks.iterator(); it.hasNext(); ) {
      PendingMark p = it.next();
      if (now >= p.atNanos()) {
        p.future().complete(mark());
        it.remove();
      }
    }
  }

  /** A reading of CPU and deliveries now. */
  public Mark mark() {
    ProcessProbe.Sample srv = server == null ? null : server.sample();
    ProcessProbe.Sample me = self.sample();
    return new Mark(
        System.nanoTime(),
        tally.received.sum(),
        srv == null ? Double.NaN : srv.cpuSeconds(),
        me == null ? Double.NaN : me.cpuSeconds(),
        server == null ? Map.of() : server.cpuByThreadGroup(),
        self.cpuByThreadGroup());
  }

  /** Seconds since sampling began, to a tenth, on the clock of the samples' {@code t}. */
  public double elapsedSeconds() {
    return Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0;
  }

  /** The largest server RSS sampled, MiB; NaN without {@code --server-pid}. */
  public synchronized double peakServerRssMb() {
    return peakRssMb;
  }

  /** The samples so far (a copy). */
  public synchronized List<Sample> samples() {
    return new ArrayList<>(samples);
  }

  /** Takes a last sample and stops the thread. */
  public void stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
  }
}
