package io.slipstream.server.chaos;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * What every {@link ChaosClient} of one run shares: the node, its lifecycle log, the bulk topic and
 * the phase of the run (chaos, calm, draining).
 *
 * <p>Thread-safe: the test thread sets the phase, every client thread reads it; the functions are
 * set before the clients start.
 */
final class ChaosRun {

  final int port;
  final LifecycleLog lifecycle;

  /** The topic a stalling client subscribes to: megabytes of state, never changed. */
  final String bulk;

  /** The node's view of a session's connection ({@code /api/connections}), or null. */
  volatile Function<String, JsonObject> connectionOf = s -> null;

  /** The node's seq of a topic ({@code /api/topics/{topic}}). */
  volatile ToLongFunction<String> seqOf = t -> -1;

  /** Buffer bound, to judge a stall that did not end. */
  volatile int bufferMax;

  /** The {@code disconnect} threshold, to judge a stall that did not end. */
  volatile double disconnect;

  /** No more chaos: clients stop ending connections and stalling; set before draining. */
  final AtomicBoolean calm = new AtomicBoolean();

  /** The publishers stopped: clients leave once caught up with {@link #finals}. */
  final AtomicBoolean draining = new AtomicBoolean();

  /** The last published seq per topic, set (all at once) when draining starts; empty before. */
  volatile Map<String, Long> finals = Map.of();

  /** When clients that have not caught up give up ({@link System#nanoTime()}). */
  volatile long drainDeadlineNanos = Long.MAX_VALUE;

  ChaosRun(int port, LifecycleLog lifecycle, String bulk) {
    this.port = port;
    this.lifecycle = lifecycle;
    this.bulk = bulk;
  }
}
