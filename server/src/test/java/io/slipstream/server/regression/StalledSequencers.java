package io.slipstream.server.regression;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds every sequencer thread of a node busy, as a long batch would, until released: what lets a
 * test fill a sequencer's queue or let a deadline pass without sleeping. It occupies every thread
 * of the sequencers' named worker pool ({@code slipstream-sequencer}) with a task that waits on a
 * latch; tasks the shards queue meanwhile run once it is released.
 *
 * <p>Thread-safe. On a node without that pool (the old code, whose sequencers ran on the event
 * loops) it holds an unrelated pool and nothing stalls, so tests that rely on it fail there.
 */
final class StalledSequencers implements AutoCloseable {

  /** More than any pool this machine sizes by its processors; the surplus just queues. */
  private static final int TASKS = Math.max(64, 2 * Runtime.getRuntime().availableProcessors());

  private final WorkerExecutor pool;
  private final CountDownLatch release = new CountDownLatch(1);

  private StalledSequencers(Vertx vertx) throws InterruptedException {
    pool = vertx.createSharedWorkerExecutor("slipstream-sequencer");
    int threads = Runtime.getRuntime().availableProcessors();
    CountDownLatch busy = new CountDownLatch(threads);
    for (int i = 0; i < TASKS; i++) {
      pool.executeBlocking(
          () -> {
            busy.countDown();
            return release.await(30, TimeUnit.SECONDS);
          },
          false);
    }
    if (!busy.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the sequencer pool did not take the stalling tasks");
    }
  }

  /** Stalls every sequencer thread of the node running on {@code vertx}. */
  static StalledSequencers stall(Vertx vertx) throws InterruptedException {
    return new StalledSequencers(vertx);
  }

  /** Lets the sequencers run again. Idempotent. */
  @Override
  public void close() {
    release.countDown();
    pool.close();
  }
}
