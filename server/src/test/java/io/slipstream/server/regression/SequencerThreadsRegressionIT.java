package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.slipstream.server.topic.SequencerVerticle;
import io.slipstream.server.topic.TopicRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (bug 6): the sequencers were verticles on the same event loops as the connections, so
 * one heavy connection loop (a large snapshot being written, a 1 MiB publish being parsed) delayed
 * every topic of the sequencer sharing its thread. Sequencing now runs on its own worker threads
 * ({@code slipstream-sequencer}).
 *
 * <p>The heavy loops are stood in for by a task that keeps every event loop of the node busy for
 * three seconds; a publish sent over the event bus meanwhile must be sequenced (visible in the
 * topic) while the loops are still busy. On the old code it waited for them.
 */
class SequencerThreadsRegressionIT {

  private static final long BUSY_MS = 3_000;

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aBusyConnectionLoopDoesNotDelaySequencing() throws Exception {
    int loops = 2;
    server = TestServer.start(SlipstreamConfig.defaults().toBuilder().eventLoops(loops).build());
    // One context per event loop (deployment instances take the loops round-robin).
    List<Context> contexts = new CopyOnWriteArrayList<>();
    server
        .vertx()
        .deployVerticle(
            () ->
                ctx -> {
                  contexts.add(ctx);
                  return Future.succeededFuture();
                },
            new DeploymentOptions().setInstances(loops))
        .await();
    CountDownLatch running = new CountDownLatch(loops);
    CountDownLatch busyOver = new CountDownLatch(loops);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    for (Context c : contexts) {
      c.runOnContext(
          v -> {
            threads.add(Thread.currentThread().getName());
            running.countDown();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BUSY_MS);
            while (System.nanoTime() < until) {
              Thread.onSpinWait();
            }
            busyOver.countDown();
          });
    }
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(threads).as("every event loop is busy").hasSize(loops);

    long sent = System.nanoTime();
    server
        .vertx()
        .eventBus()
        .request(
            SequencerVerticle.PUBLISH_ADDRESS,
            new JsonObject()
                .put("topic", "fast")
                .put("op", "INSERT")
                .put("key", "a")
                .put("row", new JsonObject()));
    TopicRegistry topics = server.server().topics();
    Eventually.await(
        Duration.ofSeconds(20),
        "the publish sequenced",
        () -> topics.get("fast") != null && topics.get("fast").topic().view().seq() == 1);
    long sequencedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
    boolean loopsStillBusy = busyOver.getCount() > 0;
    System.out.println(
        "sequenced in "
            + sequencedMs
            + " ms while every event loop was busy for "
            + BUSY_MS
            + " ms");
    assertThat(loopsStillBusy).as("sequenced before the loops were free again").isTrue();
    assertThat(sequencedMs).isLessThan(BUSY_MS / 2);
    assertThat(busyOver.await(10, TimeUnit.SECONDS)).isTrue();
  }
}
