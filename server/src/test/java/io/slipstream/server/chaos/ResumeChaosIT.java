package io.slipstream.server.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docs/protocol.md guarantees 1 (order), 3 (bounded memory), 5 (resume without loss) and 6
 * (thresholds) together, under chaos: {@link #CLIENTS} clients on several topics while HTTP
 * publishers run, each ending its connections at random moments (a clean close, a TCP reset
 * followed at once by a new connection, or a new connection before the old one is reset) and
 * resuming with its token and positions, while every second one client stops reading until the
 * server gives up on it. Throughout, {@code GET /api/connections} is polled every {@link
 * #POLL_MS} ms: no connection may hold more than its buffer's bounds.
 *
 * <p>At the end, after the publishers stopped and every client caught up: for every client and
 * topic, every published seq was received once, or named by a {@code dropped} range, or covered
 * by a snapshot, none twice ({@link io.slipstream.server.testing.SeqAccountant}); every stall
 * ended with {@code warning} or {@code dropped}, then 4001 at least {@code sustainMs} after the
 * {@code warned} event; every resume was resumed, with a {@code subscribed} for each topic.
 *
 * <p>Seeded: the seed is printed; {@code -Dchaos.seed=N} replays the clients' choices (the
 * timing of a run on real sockets is not replayable).
 */
class ResumeChaosIT {

  static final int CLIENTS = 100;
  static final int TOPICS = 4;
  /** Topics per client. */
  static final int TOPICS_PER_CLIENT = 2;
  /** How long the chaos lasts before the publishers stop and the clients catch up. */
  static final long CHAOS_MS = 30_000;
  /** How long the clients have to catch up afterwards. */
  static final long DRAIN_MS = 15_000;
  /** Publishes per second per topic, five changes each. */
  static final int PUBLISHES_PER_SECOND = 20;
  static final int CHANGES_PER_PUBLISH = 5;
  static final long POLL_MS = 100;
  /** Small bounds, so that a stalled client reaches them in about a second. */
  static final int BUFFER_MAX = 200;
  static final long BUFFER_MAX_BYTES = 160 * 1024;
  static final long SUSTAIN_MS = 1_000;

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void clientsResumingAtRandomMomentsLoseNothingDoubleNothingAndStayWithinTheirBounds()
      throws Exception {
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    System.out.println("ResumeChaosIT seed " + seed + " (replay: -Dchaos.seed=" + seed + ")");
    Random random = new Random(seed);
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .sustainMs(SUSTAIN_MS)
                .buffer(new BufferLimits(BUFFER_MAX, BUFFER_MAX_BYTES, 0.8, 0.95, DropPolicy.DROP_OLDEST))
                .build());
    List<String> topics = new ArrayList<>();
    for (int t = 0; t < TOPICS; t++) {
      topics.add("chaos." + t);
      server.publish("chaos." + t, change(random, 0));
    }
    ChaosClient.Run run = new ChaosClient.Run(server.port(), SUSTAIN_MS, LifecycleLog.listen(server.vertx()));

    List<ChaosClient> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      List<String> mine = new ArrayList<>(topics);
      java.util.Collections.shuffle(mine, random);
      ChaosClient c = new ChaosClient("client-" + i, mine.subList(0, TOPICS_PER_CLIENT), new Random(random.nextLong()), run);
      clients.add(c);
      Thread th = new Thread(c, c.name);
      th.setDaemon(true);
      threads.add(th);
    }
    long started = System.nanoTime();
    AtomicBoolean publishing = new AtomicBoolean(true);
    List<Thread> publishers = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      List<String> share = topics.subList(p * TOPICS / 2, (p + 1) * TOPICS / 2);
      Random pr = new Random(random.nextLong());
      Thread th = new Thread(() -> publish(share, pr, publishing), "publisher-" + p);
      th.setDaemon(true);
      publishers.add(th);
    }
    BoundsPoller poller = new BoundsPoller();
    Thread pollerThread = new Thread(poller, "bounds-poller");
    pollerThread.setDaemon(true);

    pollerThread.start();
    publishers.forEach(Thread::start);
    threads.forEach(Thread::start);
    // One stall a second, each on a random client that is not busy stalling or closing.
    long chaosEnd = started + TimeUnit.MILLISECONDS.toNanos(CHAOS_MS);
    int stallsAsked = 0;
    Random stallPicks = new Random(random.nextLong());
    for (long next = started + TimeUnit.SECONDS.toNanos(2); next < chaosEnd; next += TimeUnit.SECONDS.toNanos(1)) {
      LockSupport.parkNanos(next - System.nanoTime()); // the schedule, not synchronisation
      for (int tries = 0; tries < 5; tries++) {
        if (clients.get(stallPicks.nextInt(CLIENTS)).stall()) {
          stallsAsked++;
          break;
        }
      }
    }
    LockSupport.parkNanos(chaosEnd - System.nanoTime());

    // Drain: no more publishing; the finals are what every client must reach.
    publishing.set(false);
    for (Thread p : publishers) {
      p.join(10_000);
    }
    for (String t : topics) {
      run.finals.put(t, new JsonObject(server.request("GET", "/api/topics/" + t, null).body()).getLong("seq"));
    }
    run.drainDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
    run.draining.set(true);
    // One change more per topic wakes every client blocked on a read that has nothing left.
    for (String t : topics) {
      server.publish(t, change(random, 1));
    }
    for (Thread th : threads) {
      th.join(DRAIN_MS + 15_000);
    }
    poller.stop();
    pollerThread.join(5_000);
    System.out.printf(
        "ResumeChaosIT: %d clients, %.1f s; finals %s; %s; %d stalls asked%n",
        CLIENTS, (System.nanoTime() - started) / 1e9, run.finals, summary(clients), stallsAsked);
    System.out.println("  bounds: " + poller);

    SoftAssertions soft = new SoftAssertions();
    for (Thread th : threads) {
      soft.assertThat(th.isAlive()).as("%s finished", th.getName()).isFalse();
    }
    List<String> violations = new ArrayList<>();
    long lost = 0;
    long doubled = 0;
    for (ChaosClient c : clients) {
      violations.addAll(c.violations());
      lost += c.accountant.lost();
      doubled += c.accountant.doubled();
    }
    soft.assertThat(lost).as("seqs lost, over all clients and topics").isZero();
    soft.assertThat(doubled).as("seqs doubled, over all clients and topics").isZero();
    soft.assertThat(violations).as("what clients saw break the contract (%d)", violations.size()).isEmpty();
    soft.assertThat(poller.polls()).as("/api/connections polls").isGreaterThan((int) (CHAOS_MS / POLL_MS / 4));
    soft.assertThat(poller.violations()).as("connections over their buffer's bounds").isEmpty();

    List<ChaosClient.Stall> stalls = new ArrayList<>();
    clients.forEach(c -> stalls.addAll(c.stalls));
    soft.assertThat(stalls.size()).as("stalls that ended (of %d asked)", stallsAsked).isGreaterThanOrEqualTo(stallsAsked / 2);
    for (ChaosClient.Stall s : stalls) {
      soft.assertThat(s.closeCode()).as("close code after a stall %s", s).isEqualTo(4001);
      soft.assertThat(s.warned() || s.dropped()).as("warning or dropped before the close of %s", s).isTrue();
      soft.assertThat(s.warnedTs()).as("warned event before slow, %s", s).isPositive();
      soft.assertThat(s.slowTs() - s.warnedTs()).as("ms from warned to slow (sustainMs %d), %s", SUSTAIN_MS, s).isGreaterThanOrEqualTo(SUSTAIN_MS - 1);
    }
    int clean = 0;
    int aborts = 0;
    int takeovers = 0;
    int resumes = 0;
    for (ChaosClient c : clients) {
      clean += c.exits.getOrDefault(ChaosClient.Exit.CLEAN, 0);
      aborts += c.exits.getOrDefault(ChaosClient.Exit.ABORT, 0);
      takeovers += c.exits.getOrDefault(ChaosClient.Exit.TAKEOVER, 0);
      resumes += c.resumes;
    }
    // The chaos really happened: every kind of exit, and as many resumes.
    soft.assertThat(clean).as("clean closes").isPositive();
    soft.assertThat(aborts).as("resets").isPositive();
    soft.assertThat(takeovers).as("takeovers").isPositive();
    soft.assertThat(resumes).as("resumes").isGreaterThanOrEqualTo(clean + aborts + takeovers);
    soft.assertAll();

    awaitNoConnections();
    assertThat(server.connections()).as("/api/connections after every client left").isEmpty();
  }

  private static JsonArray change(Random r, int n) {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < CHANGES_PER_PUBLISH; i++) {
      String key = "k" + r.nextInt(50);
      batch.add(
          r.nextInt(10) == 0
              ? new JsonObject().put("op", "DELETE").put("key", key)
              : new JsonObject()
                  .put("op", "UPDATE")
                  .put("key", key)
                  .put("row", new JsonObject().put("n", n).put("pad", "x".repeat(200 + r.nextInt(1000)))));
    }
    return batch;
  }

  /** Publishes to {@code share} at {@link #PUBLISHES_PER_SECOND} per topic until told to stop. */
  private void publish(List<String> share, Random r, AtomicBoolean publishing) {
    long periodNanos = TimeUnit.SECONDS.toNanos(1) / (PUBLISHES_PER_SECOND * share.size());
    long next = System.nanoTime();
    int n = 0;
    while (publishing.get()) {
      String topic = share.get(n % share.size());
      server.publish(topic, change(r, ++n));
      next += periodNanos;
      LockSupport.parkNanos(next - System.nanoTime()); // pacing, not synchronisation
    }
  }

  private void awaitNoConnections() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // Polling: the node publishes no event for "the last connection is gone".
    while (server.server().connections().size() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static String summary(List<ChaosClient> clients) {
    long[] totals = new long[3];
    int connections = 0;
    int stalls = 0;
    for (ChaosClient c : clients) {
      long[] t = c.accountant.totals();
      for (int i = 0; i < 3; i++) {
        totals[i] += t[i];
      }
      connections += c.connections;
      stalls += c.stalls.size();
    }
    return String.format(
        "%d connections, %d stalls ended; seqs received %d, named by dropped %d, covered by snapshots %d",
        connections, stalls, totals[0], totals[1], totals[2]);
  }

  /** Polls {@code GET /api/connections} and checks every connection against the bounds. */
  private final class BoundsPoller implements Runnable {
    private volatile boolean stopped;
    private int polls;
    private int maxPending;
    private long maxPendingBytes;
    private final List<String> violations = new ArrayList<>();

    void stop() {
      stopped = true;
    }

    @Override
    public void run() {
      long next = System.nanoTime();
      while (!stopped) {
        JsonArray conns = server.connections();
        synchronized (this) {
          polls++;
          for (Object o : conns) {
            JsonObject c = (JsonObject) o;
            int pending = c.getInteger("pending");
            long bytes = c.getLong("pendingBytes");
            maxPending = Math.max(maxPending, pending);
            maxPendingBytes = Math.max(maxPendingBytes, bytes);
            if ((pending > BUFFER_MAX || bytes > BUFFER_MAX_BYTES) && violations.size() < 20) {
              violations.add(c.encode());
            }
          }
        }
        next += TimeUnit.MILLISECONDS.toNanos(POLL_MS);
        LockSupport.parkNanos(next - System.nanoTime()); // the polling period
      }
    }

    synchronized int polls() {
      return polls;
    }

    synchronized List<String> violations() {
      return new ArrayList<>(violations);
    }

    @Override
    public synchronized String toString() {
      return polls + " polls, max pending " + maxPending + " of " + BUFFER_MAX + ", max pendingBytes " + maxPendingBytes
          + " of " + BUFFER_MAX_BYTES;
    }
  }
}
