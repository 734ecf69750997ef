package io.slipstream.loadtest.publish;

import io.slipstream.loadtest.accounting.PhaseMaxima;
import io.slipstream.loadtest.accounting.VersionRuns;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Posts changes at a target rate: every millisecond it computes how many changes are due since the
 * phase began and sends them, several per request when more than one is due, with at most {@code
 * maxInflight} requests outstanding (1 by default, so that the server sequences changes in the
 * order the tool stamped them).
 *
 * <p>A plan on several nodes ({@link PublishPlan#urls}) sends each publish to the next node in
 * turn, and with {@link PublishPlan#attempts} above 1 gives every publish an {@code
 * Idempotency-Key} and sends it again, same key and body, to the next node after a 503 or an I/O
 * error, as a producer must to keep guarantee 10 (docs/protocol.md §7, §9). A publish counts from
 * its first request to its answer, retries included. What every 200 acknowledged, seq by seq with
 * the versions its body carried, is kept as {@link VersionRuns} for the subscribers to be checked
 * against.
 *
 * <p>Confined to its event loop; {@link #run} may be called from any thread, one phase at a time.
 * The counters are atomics read by the sampler. The HTTP client is held in a field.
 */
public final class Publisher extends VerticleBase {

  private static final long TICK_MS = 1;

  /** How long a node that failed at the I/O level is passed over by new publishes. */
  private static final long AVOID_NANOS = 2_000_000_000L;

  /** The wait before a retry grows by this much per attempt, up to {@link #MAX_BACKOFF_MS}. */
  private static final long BACKOFF_STEP_MS = 50;

  private static final long MAX_BACKOFF_MS = 500;

  /** Distinct retry reasons kept by name; others are counted as {@code other}. */
  private static final int MAX_REASONS = 16;

  private final AtomicLong accepted = new AtomicLong();
  private final Histogram roundTrips = new Histogram(1, 3_600_000_000L, 3);
  private final AtomicLong lastSeq = new AtomicLong(-1);
  private volatile String epoch;
  private final PhaseMaxima latencyByPhase = new PhaseMaxima();
  private HttpClient http;

  // Phase state, confined to the event loop.
  private PublishPlan plan;
  private Promise<PublishReport> done;
  private long startNanos;
  private long timer = -1;
  private long sent;
  private long phaseAccepted;
  private long requests;
  private long failed;
  private String firstError;
  private long firstSeq;
  private long phaseLastSeq;
  private int inflight;
  private long maxLag;
  private boolean closed;
  private String keyPrefix;
  private long keys;
  private int nextNode;
  private long[] avoidUntil;
  private long retries;
  private Map<String, Long> retryReasons;
  private long epochChanges;
  private long failedChanges;
  private long countMismatches;
  private VersionRuns acked;
  private final Histogram publishLatency = new Histogram(1, 3_600_000_000L, 3);

  /** One publish: its body and key, kept for its retries. */
  private record Pending(String body, int n, String key, long firstV, long firstSentNanos) {}

  @Override
  public Future<?> start() {
    http =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setConnectTimeout(10_000),
            new PoolOptions().setHttp1MaxSize(64));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return http.close();
  }

  /** Changes accepted by the server over every phase so far. */
  public long accepted() {
    return accepted.get();
  }

  /** The highest seq the server assigned so far, or -1. */
  public long lastSeq() {
    return lastSeq.get();
  }

  /** The epoch the server last reported, or null. */
  public String epoch() {
    return epoch;
  }

  /**
   * The longest publish (first request to answer, microseconds) per phase of the run; the scenario
   * sets the phases.
   */
  public PhaseMaxima latencyByPhase() {
    return latencyByPhase;
  }

  /** Ends the running phase now: nothing more is sent, the answers still due are awaited. */
  public void endPhase() {
    context.runOnContext(
        v -> {
          if (done != null && !closed) {
            closed = true;
            vertx.cancelTimer(timer);
            timer = -1;
            pump();
          }
        });
  }

  /** Runs one phase; the future completes when its time is up and every answer is in. */
  public Future<PublishReport> run(PublishPlan p) {
    Promise<PublishReport> promise = Promise.promise();
    context.runOnContext(
        v -> {
          if (done != null) {
            promise.fail(new IllegalStateException("a publishing phase is already running"));
            return;
          }
          plan = p;
          done = promise;
          startNanos = System.nanoTime();
          sent = 0;
          phaseAccepted = 0;
          requests = 0;
          failed = 0;
          firstError = null;
          firstSeq = -1;
          phaseLastSeq = -1;
          inflight = 0;
          maxLag = 0;
          closed = false;
          keyPrefix =
              "lt-"
                  + Long.toString(System.currentTimeMillis(), 36)
                  + "-"
                  + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
          keys = 0;
          nextNode = 0;
          avoidUntil = new long[p.urls().size()];
          retries = 0;
          retryReasons = new TreeMap<>();
          epochChanges = 0;
          failedChanges = 0;
          countMismatches = 0;
          acked = p.slipstream() && p.bodies().built() >= 0 ? new VersionRuns() : null;
          publishLatency.reset();
          roundTrips.reset();
          timer = vertx.setPeriodic(TICK_MS, id -> pump());
          pump();
        });
    return promise.future();
  }

  private void pump() {
    if (done == null) {
      return;
    }
    long now = System.nanoTime();
    long elapsed = now - startNanos;
    if (!closed && (elapsed >= plan.durationMs() * 1_000_000L || sent >= plan.maxChanges())) {
      closed = true;
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (!closed) {
      long due = Math.min(plan.maxChanges(), (long) (plan.rate() * elapsed / 1e9) + 1);
      maxLag = Math.max(maxLag, due - sent);
      while (inflight < plan.maxInflight() && due > sent) {
        int n = (int) Math.min(due - sent, plan.bodies().maxPerBody());
        send(n);
      }
    }
    if (closed && inflight == 0) {
      finish();
    }
  }

  private void send(int n) {
    long nowMicros = System.nanoTime() / 1000;
    int node = pickNode(nextNode);
    nextNode = (node + 1) % plan.urls().size();
    // Rows name their node only on a plan on nodes (so one node still tells same-node latency).
    int origin = plan.urls().size() > 1 || plan.attempts() > 1 ? node : -1;
    String body;
    if (plan.stampDue() && plan.rate() < 1e8) {
      // Change k (from 0) of the phase is due at start + k / rate.
      double step = 1e6 / plan.rate();
      long due = startNanos / 1000 + (long) (sent * step);
      body = plan.bodies().next(n, Math.min(due, nowMicros), step, origin);
    } else {
      body = plan.bodies().next(n, nowMicros, 0, origin);
    }
    long built = plan.bodies().built();
    String key = plan.attempts() > 1 ? keyPrefix + "-" + ++keys : null;
    sent += n;
    inflight++;
    attempt(new Pending(body, n, key, built < 0 ? -1 : built - n + 1, System.nanoTime()), node, 1);
  }

  /**
   * The first node from {@code from} on (round-robin) that has not failed lately; {@code from}
   * itself when every node has.
   */
  private int pickNode(int from) {
    int size = plan.urls().size();
    long now = System.nanoTime();
    for (int i = 0; i < size; i++) {
      int c = (from + i) % size;
      if (avoidUntil[c] - now <= 0) {
        return c;
      }
    }
    return from % size;
  }

  private void attempt(Pending p, int node, int attemptNo) {
    long sentAt = System.nanoTime();
    RequestOptions ro =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(plan.urls().get(node))
            .setConnectTimeout(Math.min(10_000, plan.requestTimeoutMs()))
            .setIdleTimeout(plan.requestTimeoutMs())
            .putHeader("Content-Type", "application/json");
    for (Map.Entry<String, String> h : plan.headers().entrySet()) {
      ro.putHeader(h.getKey(), h.getValue());
    }
    if (p.key() != null) {
      ro.putHeader("Idempotency-Key", p.key());
    }
    http.request(ro)
        .compose(req -> req.send(p.body()))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b)))
        .onComplete(
            ar -> {
              requests++;
              roundTrips.recordValue(Math.min((System.nanoTime() - sentAt) / 1000, 3_600_000_000L));
              String reason = retryReason(ar.succeeded() ? ar.result() : null, ar.cause());
              if (ar.failed()) {
                avoidUntil[node] = System.nanoTime() + AVOID_NANOS;
              }
              if (reason != null && attemptNo < plan.attempts()) {
                retries++;
                countReason(reason);
                long backoff = Math.min(MAX_BACKOFF_MS, BACKOFF_STEP_MS * attemptNo);
                int next = pickNode((node + 1) % plan.urls().size());
                vertx.setTimer(backoff, t -> attempt(p, next, attemptNo + 1));
                return;
              }
              inflight--;
              if (ar.succeeded()) {
                answered(p, ar.result());
              } else {
                failure("request failed: " + ar.cause());
              }
              if (ar.failed() || ar.result().status / 100 != 2) {
                failedChanges += p.n();
              }
              pump();
            });
  }

  /**
   * Why a request should be sent again: the 503's {@code error} ({@code indeterminate}, {@code
   * no-quorum}, {@code overloaded}), the I/O failure's kind, or null when it must not be (an answer
   * other than 503, or a plan that sends each publish once).
   */
  private String retryReason(Answer a, Throwable cause) {
    if (plan.attempts() <= 1) {
      return null;
    }
    if (a == null) {
      return "I/O: " + cause.getClass().getSimpleName();
    }
    if (a.status != 503) {
      return null;
    }
    try {
      Object e = new JsonObject(a.body).getValue("error");
      if (e instanceof JsonObject) {
        e = ((JsonObject) e).getValue("code");
      }
      return "503 " + (e instanceof String ? e : "(no error code)");
    } catch (RuntimeException e) {
      return "503 (not JSON)";
    }
  }

  private void countReason(String reason) {
    String r =
        retryReasons.containsKey(reason) || retryReasons.size() < MAX_REASONS ? reason : "other";
    retryReasons.merge(r, 1L, Long::sum);
  }

  private record Answer(int status, Buffer body) {}

  private void answered(Pending p, Answer a) {
    int n = p.n();
    if (a.status / 100 != 2) {
      String text = a.body.toString();
      failure("HTTP " + a.status + ": " + (text.length() > 300 ? text.substring(0, 300) : text));
      return;
    }
    if (!plan.slipstream()) {
      phaseAccepted += n;
      accepted.addAndGet(n);
      return;
    }
    try {
      JsonObject o = new JsonObject(a.body);
      long first = o.getLong("firstSeq");
      long last = o.getLong("lastSeq");
      String e = o.getString("epoch");
      if (epoch != null && !epoch.equals(e)) {
        epochChanges++;
      }
      epoch = e;
      long count = last - first + 1;
      if (count != n) {
        countMismatches++;
      }
      if (acked != null && p.firstV() >= 0) {
        acked.add(first, p.firstV(), Math.min(count, n));
      }
      long micros = Math.min((System.nanoTime() - p.firstSentNanos()) / 1000, 3_600_000_000L);
      publishLatency.recordValue(micros);
      latencyByPhase.record(micros);
      phaseAccepted += count;
      accepted.addAndGet(count);
      if (firstSeq < 0 || first < firstSeq) {
        firstSeq = first;
      }
      phaseLastSeq = Math.max(phaseLastSeq, last);
      lastSeq.accumulateAndGet(last, Math::max);
    } catch (RuntimeException e) {
      failure("unexpected answer: " + a.body);
    }
  }

  private void failure(String message) {
    failed++;
    if (firstError == null) {
      firstError = message;
    }
  }

  private void finish() {
    Promise<PublishReport> p = done;
    done = null;
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    p.complete(
        new PublishReport(
            requests,
            sent,
            phaseAccepted,
            failed,
            firstError,
            epoch,
            firstSeq,
            phaseLastSeq,
            seconds,
            plan.rate(),
            maxLag,
            roundTrips.copy(),
            retries,
            Map.copyOf(retryReasons),
            epochChanges,
            failedChanges,
            countMismatches,
            publishLatency.copy(),
            acked == null ? null : acked.copy()));
  }
}
