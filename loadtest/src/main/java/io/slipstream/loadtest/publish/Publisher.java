package io.slipstream.loadtest.publish;

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
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Posts changes at a target rate: every millisecond it computes how many changes are due since the
 * phase began and sends them, several per request when more than one is due, with at most {@code
 * maxInflight} requests outstanding (1 by default, so that the server sequences changes in the
 * order the tool stamped them).
 *
 * <p>Confined to its event loop; {@link #run} may be called from any thread, one phase at a time.
 * The counters are atomics read by the sampler. The HTTP client is held in a field.
 */
public final class Publisher extends VerticleBase {

  private static final long TICK_MS = 1;
  private static final int REQUEST_TIMEOUT_MS = 30_000;

  private final AtomicLong accepted = new AtomicLong();
  private final Histogram roundTrips = new Histogram(1, 3_600_000_000L, 3);
  private final AtomicLong lastSeq = new AtomicLong(-1);
  private volatile String epoch;
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
    String body;
    if (plan.stampDue() && plan.rate() < 1e8) {
      // Change k (from 0) of the phase is due at start + k / rate.
      double step = 1e6 / plan.rate();
      long due = startNanos / 1000 + (long) (sent * step);
      body = plan.bodies().next(n, Math.min(due, nowMicros), step);
    } else {
      body = plan.bodies().next(n, nowMicros, 0);
    }
    sent += n;
    long sentAt = System.nanoTime();
    inflight++;
    RequestOptions ro =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(plan.url())
            .setIdleTimeout(REQUEST_TIMEOUT_MS)
            .putHeader("Content-Type", "application/json");
    for (Map.Entry<String, String> h : plan.headers().entrySet()) {
      ro.putHeader(h.getKey(), h.getValue());
    }
    http.request(ro)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b)))
        .onComplete(
            ar -> {
              inflight--;
              requests++;
              roundTrips.recordValue(Math.min((System.nanoTime() - sentAt) / 1000, 3_600_000_000L));
              if (ar.succeeded()) {
                answered(n, ar.result());
              } else {
                failure("request failed: " + ar.cause());
              }
              pump();
            });
  }

  private record Answer(int status, Buffer body) {}

  private void answered(int n, Answer a) {
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
      epoch = o.getString("epoch");
      long count = last - first + 1;
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
            roundTrips.copy()));
  }
}
