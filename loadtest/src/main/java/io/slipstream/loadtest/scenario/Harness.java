package io.slipstream.loadtest.scenario;

import io.slipstream.loadtest.accounting.Tally;
import io.slipstream.loadtest.cli.OptionSpec;
import io.slipstream.loadtest.cli.Options;
import io.slipstream.loadtest.cli.UsageException;
import io.slipstream.loadtest.client.ClientPlan;
import io.slipstream.loadtest.client.ClientReport;
import io.slipstream.loadtest.client.ClientShared;
import io.slipstream.loadtest.client.ClientVerticle;
import io.slipstream.loadtest.client.Endpoint;
import io.slipstream.loadtest.proc.ProcessProbe;
import io.slipstream.loadtest.publish.Bodies;
import io.slipstream.loadtest.publish.PublishPlan;
import io.slipstream.loadtest.publish.PublishReport;
import io.slipstream.loadtest.publish.Publisher;
import io.slipstream.loadtest.wire.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * What every scenario runs on: one Vert.x instance with a publisher verticle and several client
 * verticles (one per event loop), the sampler, and the server's HTTP API.
 *
 * <p>Driven from the main thread: every method blocks with a bound on its wait, so a scenario reads
 * as a sequence of phases and always ends. Not thread-safe.
 */
public final class Harness implements AutoCloseable {

  /** The options every scenario accepts. */
  public static final List<OptionSpec> COMMON_OPTIONS =
      List.of(
          OptionSpec.value(
              "url",
              "URL",
              "http://127.0.0.1:8080",
              "the server: HTTP API, /ws and /sockjs on this host and port"),
          OptionSpec.value(
              "transport",
              "ws|sockjs|sockjs-raw",
              "ws",
              "WebSocket at /ws, SockJS websocket transport (frames a[\"...\"]) or SockJS raw"
                  + " websocket"),
          OptionSpec.value("ws-path", "PATH", "/ws", "WebSocket path"),
          OptionSpec.value("sockjs-path", "PATH", "/sockjs", "SockJS prefix"),
          OptionSpec.value(
              "topic", "NAME", null, "topic to use (default: a fresh lt-<scenario>-<time>)"),
          OptionSpec.value("clients", "N", "100", "WebSocket clients (subscribers)")
              .alias("subscribers", "connections"),
          OptionSpec.value("rate", "R", "1000", "changes published per second"),
          OptionSpec.value(
              "size", "BYTES", "256", "size of each row's JSON (padded; at least ~48)"),
          OptionSpec.value(
              "row-shape",
              "padded|realistic",
              "padded",
              "rows padded with x, or order-like JSON (ids, prices, fills, words) that deflates as"
                  + " real rows do"),
          OptionSpec.flag(
              "deflate",
              "offer permessage-deflate on WebSocket connects; with a Slipstream server, the"
                  + " result adds the bytes on the wire per delivery"),
          OptionSpec.value("duration", "SECONDS", "30", "how long to publish"),
          OptionSpec.value("keys", "K", "1000", "distinct keys the changes update (round-robin)"),
          OptionSpec.flag("batch", "say hello with batch:true (the server may send JSON arrays)"),
          OptionSpec.value("token", "JWT", null, "hello.token, when the server checks JWTs"),
          OptionSpec.value(
              "publish-token", "TOKEN", null, "Authorization: Bearer for POST …/changes"),
          OptionSpec.value(
              "server-pid",
              "PID",
              null,
              "sample the server's CPU and RSS from /proc (and heap through jcmd where useful)"),
          OptionSpec.value(
              "out",
              "DIR",
              null,
              "where result.json and report.html go (default"
                  + " ./loadtest-results/<scenario>-<time>)"),
          OptionSpec.value("loops", "L", Integer.toString(defaultLoops()), "client event loops"),
          OptionSpec.value("connect-rate", "PER_SECOND", "1000", "new sockets per second"),
          OptionSpec.value(
              "ack-every", "N", "1000", "send ack after N changes (and at least every second)"),
          OptionSpec.value("max-batch", "N", "500", "most changes per POST request"),
          OptionSpec.value(
              "stamp",
              "due|send",
              "due",
              "stamp rows with the time the rate's schedule made them due (a slow publish path "
                  + "counts as latency) or with the time their request was sent"),
          OptionSpec.value(
              "warmup",
              "SECONDS",
              "0",
              "leave the first seconds of publishing out of the latency summary"),
          OptionSpec.value(
              "drain", "SECONDS", "15", "longest wait for the last change to reach every client"),
          OptionSpec.value(
              "trace",
              "FRAMES",
              "0",
              "print the first FRAMES frames the first client sends and receives"),
          OptionSpec.flag("quiet", "no progress line"));

  private final Options options;
  private final String scenario;
  private final PrintStream err;
  private final Endpoint endpoint;
  private final String topic;
  private final Vertx vertx;
  private final ClientShared shared = new ClientShared();
  private final List<ClientVerticle> loops = new ArrayList<>();
  private final Publisher publisher = new Publisher();
  private final ProcessProbe serverProbe;
  private final Sampler sampler;
  private final ServerApi api;
  private int clientCount;

  private Harness(
      Options options, String scenario, Endpoint endpoint, PrintStream err, int maxSockets) {
    this.options = options;
    this.scenario = scenario;
    this.err = err;
    this.endpoint = endpoint;
    String t = options.string("topic");
    this.topic =
        t != null ? t : "lt-" + scenario + "-" + Long.toString(System.currentTimeMillis(), 36);
    if (!topic.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new UsageException("--topic must match [A-Za-z0-9._-]{1,128}, was " + topic);
    }
    String pid = options.string("server-pid");
    if (pid != null) {
      ProcessProbe p = ProcessProbe.of(options.longValue("server-pid", 1));
      if (!p.readable()) {
        throw new UsageException(
            "--server-pid " + pid + ": /proc/" + pid + "/stat is not readable");
      }
      this.serverProbe = p;
    } else {
      this.serverProbe = null;
    }
    int n = options.integer("loops", 1);
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(n + 1).setWorkerPoolSize(2));
    this.api = new ServerApi(endpoint.httpBase());
    await(vertx.deployVerticle(publisher), 10_000, "deploy publisher");
    int perLoop = maxSockets / n + 1;
    for (int i = 0; i < n; i++) {
      ClientVerticle v = new ClientVerticle(shared, perLoop, options.flag("deflate"));
      await(vertx.deployVerticle(v), 10_000, "deploy client verticle");
      loops.add(v);
    }
    shared.trace(options.integer("trace", 0));
    this.sampler =
        new Sampler(loops, publisher, shared, serverProbe, options.flag("quiet") ? null : err);
  }

  /**
   * Starts a harness for {@code scenario} against {@code --url}.
   *
   * @param maxSockets how many sockets the scenario will open at most
   */
  public static Harness start(Options options, String scenario, PrintStream err, int maxSockets) {
    Endpoint endpoint;
    try {
      endpoint = Endpoint.parse(options.string("url"), "url");
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return new Harness(options, scenario, endpoint, err, maxSockets);
  }

  /**
   * Checks the common options that are only read later, so that a typo stops the tool before any
   * socket is opened.
   *
   * @throws UsageException naming the option
   */
  public static void validate(Options options) {
    try {
      Endpoint.parse(options.string("url"), "url");
      Transport.parse(options.string("transport"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    String stamp = options.string("stamp");
    if (!stamp.equals("due") && !stamp.equals("send")) {
      throw new UsageException("--stamp must be due or send, was " + stamp);
    }
    options.integer("loops", 1);
    options.integer("connect-rate", 1);
    options.integer("ack-every", 1);
    options.integer("max-batch", 1);
    options.integer("trace", 0);
    Runs.realisticRows(options);
    options.decimal("warmup", 0, 86_400);
    options.decimal("drain", 0, 3600);
  }

  /** Fails unless {@code GET /health} answers 200 within 10 s. */
  public void requireHealthy() {
    if (!api.awaitHealthy(10_000)) {
      throw new IllegalStateException(
          "the server at "
              + endpoint.httpBase()
              + " did not answer GET /health with 200 within 10 s");
    }
  }

  public Options options() {
    return options;
  }

  public String topic() {
    return topic;
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  public ClientShared shared() {
    return shared;
  }

  public Tally tally() {
    return shared.tally();
  }

  public Sampler sampler() {
    return sampler;
  }

  ServerApi api() {
    return api;
  }

  public Publisher publisher() {
    return publisher;
  }

  /** The server's process probe, or null without {@code --server-pid}. */
  public ProcessProbe serverProbe() {
    return serverProbe;
  }

  /** Prints {@code message} on stderr unless {@code --quiet}. */
  public void log(String message) {
    if (!options.flag("quiet")) {
      err.println(message);
    }
  }

  /** A plan for fast clients of the run's topic, from the common options. */
  public ClientPlan plan() {
    Transport transport;
    try {
      transport = Transport.parse(options.string("transport"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return ClientPlan.fast(
            endpoint,
            transport,
            options.string("ws-path"),
            options.string("sockjs-path"),
            List.of(topic))
        .withHello(options.flag("batch"), options.string("token"))
        .withAckEvery(options.integer("ack-every", 1));
  }

  /**
   * Opens {@code count} Slipstream clients with {@code plan}, spread over the event loops and paced
   * at {@code --connect-rate}; returns once every connect has been started (not finished).
   */
  public void connect(int count, ClientPlan plan, boolean slow, String prefix) {
    open(
        count,
        prefix,
        (v, ids) -> v.addSubscribers(ids, plan, slow, prefix.hashCode() * 31L + clientCount));
  }

  /** Opens {@code count} raw clients, as {@link #connect}. */
  public void connectRaw(int count, ClientPlan plan) {
    open(count, "raw", (v, ids) -> v.addRawClients(ids, plan));
  }

  private interface Adder {
    Future<Void> add(ClientVerticle v, List<String> ids);
  }

  private void open(int count, String prefix, Adder adder) {
    int rate = options.integer("connect-rate", 1);
    int perTick = Math.max(1, rate / 10);
    int done = 0;
    while (done < count) {
      long tickStart = System.nanoTime();
      int chunk = Math.min(perTick, count - done);
      List<List<String>> perLoop = new ArrayList<>();
      for (int i = 0; i < loops.size(); i++) {
        perLoop.add(new ArrayList<>());
      }
      for (int i = 0; i < chunk; i++) {
        int index = clientCount++;
        perLoop
            .get(index % loops.size())
            .add(String.format(Locale.ROOT, "lt-%s-%d", prefix, index));
      }
      List<Future<Void>> adds = new ArrayList<>();
      for (int i = 0; i < loops.size(); i++) {
        if (!perLoop.get(i).isEmpty()) {
          adds.add(adder.add(loops.get(i), perLoop.get(i)));
        }
      }
      await(Future.all(adds), 10_000, "start connects");
      done += chunk;
      if (done < count) {
        sleep(Math.max(0, 100 - (System.nanoTime() - tickStart) / 1_000_000L));
      }
    }
  }

  /** Polls {@code condition} every 50 ms for at most {@code timeoutMs}; returns its last value. */
  public boolean await(BooleanSupplier condition, long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(50);
    }
    return true;
  }

  /** Waits until {@code n} subscriptions are live, for at most {@code timeoutMs}. */
  public boolean awaitLive(int n, long timeoutMs) {
    return await(() -> tally().live.get() >= n, timeoutMs);
  }

  /**
   * Waits until {@code n} clients (slow ones only when {@code includeSlow}) have applied the run's
   * topic up to {@code seq}, for at most {@code timeoutMs}; returns how many had.
   */
  public int awaitReached(long seq, int n, boolean includeSlow, long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      int reached = reached(seq, includeSlow);
      if (reached >= n || System.nanoTime() > deadline) {
        return reached;
      }
      sleep(100);
    }
  }

  /** How many clients have applied the run's topic up to {@code seq}. */
  public int reached(long seq, boolean includeSlow) {
    List<Future<Integer>> fs = new ArrayList<>();
    for (ClientVerticle v : loops) {
      fs.add(v.reached(topic, seq, includeSlow));
    }
    int n = 0;
    for (Object o : await(Future.all(fs), 10_000, "count reached").list()) {
      n += (Integer) o;
    }
    return n;
  }

  /** The URL changes to the run's topic are posted to. */
  public String changesUrl() {
    return endpoint.httpBase() + "/api/topics/" + topic + "/changes";
  }

  /** Whether rows carry their due time ({@code --stamp due}) rather than their send time. */
  public boolean stampDue() {
    String s = options.string("stamp");
    if (!s.equals("due") && !s.equals("send")) {
      throw new UsageException("--stamp must be due or send, was " + s);
    }
    return s.equals("due");
  }

  /** The publishing headers ({@code Authorization} when {@code --publish-token}). */
  public Map<String, String> publishHeaders() {
    String token = options.string("publish-token");
    return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
  }

  /** Starts publishing {@code bodies} to the run's topic; see {@link PublishPlan}. */
  public Future<PublishReport> publishAsync(
      double rate, long durationMs, long maxChanges, Bodies bodies) {
    return publisher.run(topicPlan(rate, durationMs, maxChanges, bodies));
  }

  /** Publishes {@code bodies} to the run's topic to the end; see {@link #publish(PublishPlan)}. */
  public PublishReport publish(double rate, long durationMs, long maxChanges, Bodies bodies) {
    return publish(topicPlan(rate, durationMs, maxChanges, bodies));
  }

  /** A plan for the run's topic: one request in flight, rows stamped per {@code --stamp}. */
  private PublishPlan topicPlan(double rate, long durationMs, long maxChanges, Bodies bodies) {
    return new PublishPlan(
        changesUrl(),
        publishHeaders(),
        rate,
        durationMs,
        maxChanges,
        1,
        bodies,
        true,
        stampDue());
  }

  /** Runs one publishing phase to the end (bounded by its duration plus 60 s for answers). */
  public PublishReport publish(PublishPlan plan) {
    return await(publisher.run(plan), plan.durationMs() + 60_000, "publish");
  }

  /** Waits for a publishing phase started with {@link #publishAsync}. */
  public PublishReport awaitPublish(Future<PublishReport> f, long durationMs) {
    return await(f, durationMs + 60_000, "publish");
  }

  /** What every client saw. */
  public List<ClientReport> reports() {
    List<ClientReport> out = new ArrayList<>();
    List<Future<List<ClientReport>>> fs = new ArrayList<>();
    for (ClientVerticle v : loops) {
      fs.add(v.reports());
    }
    for (Future<List<ClientReport>> f : fs) {
      out.addAll(await(f, 30_000, "collect reports"));
    }
    return out;
  }

  /**
   * The latency, in microseconds, of changes published through another node than the receiving
   * client's ({@code crossNode}) or through its own, recorded since the last call (the first call
   * discards what came before).
   */
  public Histogram nodeLatency(boolean crossNode) {
    Histogram sum = new Histogram(1, ClientShared.HIGHEST_MICROS, 3);
    for (ClientVerticle v : loops) {
      sum.add(v.nodeLatency(crossNode));
    }
    return sum;
  }

  /** Raw clients' reordered messages, summed. */
  public long rawReordered() {
    long n = 0;
    for (ClientVerticle v : loops) {
      n += await(v.rawReordered(), 10_000, "collect");
    }
    return n;
  }

  /** Makes every stopped reader read again. */
  public void resumeReading() {
    for (ClientVerticle v : loops) {
      await(v.resumeReading(), 10_000, "resume reading");
    }
  }

  /** Closes every client. */
  public void stopClients() {
    for (ClientVerticle v : loops) {
      await(v.stopClients(), 10_000, "stop clients");
    }
  }

  /** Stops sampling, closes every socket and Vert.x, each step bounded. */
  @Override
  public void close() {
    sampler.stop();
    try {
      stopClients();
    } catch (RuntimeException e) {
      // closing anyway
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      err.println("warning: Vert.x did not close within 15 s: " + e);
    }
  }

  /** Blocks for {@code f} at most {@code timeoutMs}; failures become IllegalStateException. */
  static <T> T await(Future<T> f, long timeoutMs, String what) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + ": interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " did not finish within " + timeoutMs + " ms", e);
    }
  }

  /** Sleeps, keeping the interrupt. */
  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int defaultLoops() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  /** The run's scenario name. */
  public String scenario() {
    return scenario;
  }
}
