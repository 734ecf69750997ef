package io.slipstream.server.chaos;

import io.slipstream.server.eventbus.Lifecycle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The node's lifecycle events ({@code slipstream.lifecycle}, docs/protocol.md), kept per session,
 * so that a stalled client can wait for the server to end its connection ({@code slow} or {@code
 * disconnected}) instead of sleeping, and the test can check when that happened relative to the
 * {@code warned} event; a client learns its connection's id from its {@code connected} or {@code
 * resumed} event.
 *
 * <p>Thread-safe: events arrive on a Vert.x event loop, clients wait on their own threads. Bounded:
 * the last {@link #PER_SESSION} events of each session, for at most {@link #SESSIONS} sessions (the
 * test has 100 clients, one session each, a few events per connection and a dozen connections).
 */
final class LifecycleLog {

  /** Events kept per session. */
  static final int PER_SESSION = 256;

  /** Sessions tracked. */
  static final int SESSIONS = 1_000;

  private final Map<String, ArrayDeque<JsonObject>> bySession = new HashMap<>();

  /** Starts listening on {@code vertx}'s event bus; returns once the consumer is registered. */
  static LifecycleLog listen(Vertx vertx) {
    LifecycleLog log = new LifecycleLog();
    vertx
        .eventBus()
        .<JsonObject>consumer(Lifecycle.ADDRESS, m -> log.add(m.body()))
        .completion()
        .await();
    return log;
  }

  private synchronized void add(JsonObject e) {
    String session = e.getString("session");
    if (session == null) {
      return;
    }
    ArrayDeque<JsonObject> q = bySession.get(session);
    if (q == null) {
      if (bySession.size() >= SESSIONS) {
        return;
      }
      q = new ArrayDeque<>();
      bySession.put(session, q);
    }
    if (q.size() == PER_SESSION) {
      q.pollFirst();
    }
    q.addLast(e);
    notifyAll();
  }

  /**
   * Waits up to {@code timeoutMs} for an {@code event} of {@code session} with {@code ts >=
   * sinceMs}; returns the earliest kept, or null on timeout.
   */
  JsonObject await(String session, String event, long sinceMs, long timeoutMs)
      throws InterruptedException {
    return await(
        session, e -> event.equals(e.getString("event")) && e.getLong("ts") >= sinceMs, timeoutMs);
  }

  /**
   * Waits up to {@code timeoutMs} for an event of {@code session} that {@code wanted}; returns the
   * earliest kept, or null on timeout.
   */
  synchronized JsonObject await(String session, Predicate<JsonObject> wanted, long timeoutMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (true) {
      JsonObject e = first(session, wanted);
      if (e != null) {
        return e;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return null;
      }
      wait(left);
    }
  }

  /** The earliest event kept of {@code session} that {@code wanted}, or null. */
  synchronized JsonObject first(String session, Predicate<JsonObject> wanted) {
    ArrayDeque<JsonObject> q = bySession.get(session);
    if (q != null) {
      for (JsonObject e : q) {
        if (wanted.test(e)) {
          return e;
        }
      }
    }
    return null;
  }

  /** The session's events kept, oldest first, for reports. */
  synchronized List<String> describe(String session) {
    List<String> out = new ArrayList<>();
    ArrayDeque<JsonObject> q = bySession.get(session);
    if (q != null) {
      for (JsonObject e : q) {
        out.add(e.encode());
      }
    }
    return out;
  }
}
