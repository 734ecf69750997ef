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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/protocol.md guarantees 1 (order), 3 (bounded memory), 5 (resume without loss) and 6
 * (thresholds) together, under chaos: {@link #CLIENTS} clients on several topics while HTTP
 * publishers run, each ending its connections at random moments (a clean close, a TCP reset
 * followed at once by a new connection, or a new connection before the old one is reset) and
 * resuming with its token and positions, while every second one client stops reading until the
 * server gives up on it. Throughout, {@code GET /api/connections} is polled every {@link #POLL_MS}
 * ms: no connection may hold more than its buffer's bounds.
 *
 * <p>At the end, after the publishers stopped and every client caught up: for every client and
 * topic, every published seq was received once, or named by a {@code dropped} range, or covered by
 * a snapshot, none twice ({@link io.slipstream.server.testing.SeqAccountant}); every stall ended
 * with {@code warning} or {@code dropped}, then 4001 at least {@code sustainMs} after the {@code
 * warned} event; every resume was resumed, with a {@code subscribed} for each topic.
 *
 * <p>Seeded: the seed is printed; {@code -Dchaos.seed=N} replays the clients' choices (the timing
 * of a run on real sockets is not replayable).
 *
 * <p>Each wait is bounded: the stalls by {@link ChaosClient#STALL_LIMIT_MS}, the drain by {@link
 * #DRAIN_MS}, the whole test by its {@link Timeout}. What the test checks is behaviour, never how
 * often something happened on a machine of some speed: the bounds poller must have seen a buffer at
 * or above {@code warn} (so it checked the bounds where they bite) and have run from before the
 * first stall to after the chaos.
 *
 * <p>About 30 s ({@link #CHAOS_MS} of chaos, then the calm and the drain).
 */
class ResumeChaosIT {

  static final int CLIENTS = 100;
  static final int TOPICS = 4;

  /** Topics per client. */
  static final int TOPICS_PER_CLIENT = 2;

  /** How long the chaos lasts before the publishers stop and the clients catch up. */
  static final long CHAOS_MS = 20_000;

  /** How long the clients have to catch up afterwards. */
  static final long DRAIN_MS = 15_000;

  /**
   * Changes per second per topic; a client follows two topics, 80 events a second, and 100 clients
   * read 8,000 a second.
   */
  static final int CHANGES_PER_SECOND = 40;

  /** The most changes in one publish, when publishing has fallen behind (under maxPublishBytes). */
  static final int MAX_BATCH = 80;

  /**
   * Rows of the bulk topic: 240 of 16 KB, 3.9 MB of state that a stalling client subscribes to, so
   * that its snapshot, streamed as fast as the socket takes it, fills the socket at once (see
   * {@link ChaosClient}); published once, before the chaos.
   */
  static final int BULK_ROWS = 240;

  static final int BULK_ROW_BYTES = 16 * 1024;
  static final String BULK = "chaos.bulk";
  /** The bounds poller's period: it polls again this long after the last poll started. */
  static final long POLL_MS = 100;

  /** When the first stall is asked for, after the clients started. */
  static final long FIRST_STALL_MS = 4_000;

  /** Small bounds, so that a stalled client reaches them in about a second. */
  static final int BUFFER_MAX = 200;

  static final long BUFFER_MAX_BYTES = 160 * 1024;
  static final long SUSTAIN_MS = 1_000;

  /** The fill thresholds of the buffer: warning, then the sustain timer. */
  static final double WARN = 0.8;

  static final double DISCONNECT = 0.95;

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      long closing = System.nanoTime();
      server.close();
      System.out.printf("  node closed in %d ms%n", (System.nanoTime() - closing) / 1_000_000);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void clientsResumingAtRandomMomentsLoseNothingDoubleNothingAndStayWithinTheirBounds()
      throws Exception {
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    System.out.println("ResumeChaosIT seed " + seed + " (replay: -Dchaos.seed=" + seed + ")");
    Random random = new Random(seed);
    long setup = System.nanoTime();
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .eventLoops(2)
                .sustainMs(SUSTAIN_MS)
                .buffer(
                    new BufferLimits(
                        BUFFER_MAX, BUFFER_MAX_BYTES, WARN, DISCONNECT, DropPolicy.DROP_OLDEST))
                // Covers every resume of the run (the topics reach about 1,300).
                .replayLogSize(5_000)
                .build());
    List<String> topics = new ArrayList<>();
    for (int t = 0; t < TOPICS; t++) {
      topics.add("chaos." + t);
      server.publish("chaos." + t, changes(random, 0, 5, 200, 1000));
    }
    publishBulk(server, BULK);
    ChaosRun run = new ChaosRun(server.port(), LifecycleLog.listen(server.vertx()), BULK);
    run.connectionOf =
        session -> {
          for (Object o : server.connections()) {
            if (session.equals(((JsonObject) o).getString("session"))) {
              return (JsonObject) o;
            }
          }
          return null;
        };
    run.seqOf =
        t -> new JsonObject(server.request("GET", "/api/topics/" + t, null).body()).getLong("seq");
    run.bufferMax = BUFFER_MAX;
    run.disconnect = DISCONNECT;

    List<ChaosClient> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      List<String> mine = new ArrayList<>(topics);
      java.util.Collections.shuffle(mine, random);
      ChaosClient c =
          new ChaosClient(
              "client-" + i,
              mine.subList(0, TOPICS_PER_CLIENT),
              new Random(random.nextLong()),
              run);
      clients.add(c);
      Thread th = new Thread(c, c.name);
      th.setDaemon(true);
      threads.add(th);
    }
    long started = System.nanoTime();
    System.out.printf("  setup %d ms%n", (started - setup) / 1_000_000);
    AtomicBoolean publishing = new AtomicBoolean(true);
    List<Thread> publishers = new ArrayList<>();
    for (String t : topics) {
      Random pr = new Random(random.nextLong());
      Thread th =
          new Thread(
              () -> publish(t, CHANGES_PER_SECOND, MAX_BATCH, 200, 1000, pr, publishing),
              "publisher-" + t);
      th.setDaemon(true);
      publishers.add(th);
    }
    BoundsPoller poller = new BoundsPoller();
    Thread pollerThread = new Thread(poller, "bounds-poller");
    pollerThread.setDaemon(true);

    pollerThread.start();
    publishers.forEach(Thread::start);
    threads.forEach(Thread::start);
    // One stall a second once every client is up, each on a random client not stalling already.
    long chaosEnd = started + TimeUnit.MILLISECONDS.toNanos(CHAOS_MS);
    int stallsAsked = 0;
    Random stallPicks = new Random(random.nextLong());
    long firstStall = started + TimeUnit.MILLISECONDS.toNanos(FIRST_STALL_MS);
    for (long next = firstStall;
        next < chaosEnd;
        next += TimeUnit.SECONDS.toNanos(1)) {
      LockSupport.parkNanos(next - System.nanoTime()); // the schedule, not synchronisation
      for (int tries = 0; tries < 5; tries++) {
        if (!Boolean.getBoolean("chaos.nostall")
            && clients.get(stallPicks.nextInt(CLIENTS)).stall()) {
          stallsAsked++;
          break;
        }
      }
    }
    LockSupport.parkNanos(chaosEnd - System.nanoTime());

    // Calm: no more exits or stalls; the stalls under way end while the topics still flow.
    run.calm.set(true);
    long calmMs = ChaosClient.STALL_LIMIT_MS + ChaosConnection.LATE_MS + 5_000;
    long calmDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(calmMs);
    while (clients.stream().anyMatch(ChaosClient::stalling) && System.nanoTime() < calmDeadline) {
      Thread.sleep(50); // polling the clients' flags: the stalls end on their own threads
    }
    // Drain: no more publishing; the finals are what every client must reach.
    publishing.set(false);
    for (Thread p : publishers) {
      p.join(10_000);
    }
    java.util.Map<String, Long> finals = new java.util.HashMap<>();
    for (String t : topics) {
      finals.put(
          t, new JsonObject(server.request("GET", "/api/topics/" + t, null).body()).getLong("seq"));
    }
    run.finals = finals;
    run.drainDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
    run.draining.set(true);
    // One change more per topic wakes every client blocked on a read that has nothing left.
    for (String t : topics) {
      server.publish(t, changes(random, -1, 1, 200, 1000));
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

    int journals = 0;
    for (ChaosClient c : clients) {
      if (!c.record.journal().isEmpty() && journals++ < 12) {
        System.out.println("  journal of " + c.name + " up to its first violation:");
        c.record.journal().forEach(e -> System.out.println("    " + e));
      }
    }
    // Every verdict, then one assertion listing the failed ones: AssertJ's soft assertions cost
    // seconds on a loaded machine for a few hundred checks (a generated proxy each).
    List<String> failed = new ArrayList<>();
    for (Thread th : threads) {
      check(failed, !th.isAlive(), "%s finished", th.getName());
    }
    List<String> violations = new ArrayList<>();
    long lost = 0;
    long doubled = 0;
    for (ChaosClient c : clients) {
      violations.addAll(c.record.violations());
      lost += c.record.accountant.lost();
      doubled += c.record.accountant.doubled();
    }
    check(failed, lost == 0, "seqs lost, over all clients and topics: %d", lost);
    check(failed, doubled == 0, "seqs doubled, over all clients and topics: %d", doubled);
    check(
        failed,
        violations.isEmpty(),
        "what clients saw break the contract (%d): %s",
        violations.size(),
        violations);
    // The bounds check ran where it bites and throughout: it saw a buffer filled by a stall, and
    // polled before the first stall and after the chaos (behaviour, not a count of polls).
    check(failed, poller.sawWarnedBuffer(), "a poll saw a buffer at or above warn (%s)", poller);
    check(
        failed,
        poller.firstPollNanos() < firstStall,
        "the first poll ended before the first stall was asked");
    check(failed, poller.lastPollNanos() > chaosEnd, "the last poll ended after the chaos");
    check(
        failed,
        poller.violations().isEmpty(),
        "connections over their buffer's bounds: %s",
        poller.violations());

    List<ChaosRecord.Stall> stalls = new ArrayList<>();
    clients.forEach(c -> stalls.addAll(c.record.stalls));
    int inconclusive = clients.stream().mapToInt(c -> c.record.inconclusiveStalls).sum();
    int voided = clients.stream().mapToInt(c -> c.record.voidStalls).sum();
    // A stall that did not end and showed no fault (a slow machine publishes too little to fill
    // a buffer in STALL_LIMIT_MS) proves nothing, nor one asked for after the node had ended the
    // connection; most must end.
    check(
        failed,
        stalls.size() >= stallsAsked / 2,
        "stalls that ended: %d of %d asked (%d inconclusive, %d void)",
        stalls.size(),
        stallsAsked,
        inconclusive,
        voided);
    for (ChaosRecord.Stall s : stalls) {
      check(failed, s.closeCode() == 4001, "close code 4001 after a stall, %s", s);
      check(failed, s.warnings() > 0 || s.dropped(), "warning or dropped before the close, %s", s);
      // docs/protocol.md: warning is re-armed only after the fill stayed below warn for
      // warnRearmMs, "so one stall gives one warning".
      check(failed, s.warnings() <= 1, "at most one warning in one stall, %s", s);
      check(failed, s.warnedTs() > 0, "a warned event before slow, %s", s);
      check(
          failed,
          s.slowTs() - s.warnedTs() >= SUSTAIN_MS - 1,
          "at least sustainMs (%d) from the first warned to slow, %s",
          SUSTAIN_MS,
          s);
    }
    int clean = 0;
    int aborts = 0;
    int takeovers = 0;
    int resumes = 0;
    int slowCloses = 0;
    for (ChaosClient c : clients) {
      clean += c.record.exits(ChaosRecord.Exit.CLEAN);
      aborts += c.record.exits(ChaosRecord.Exit.ABORT);
      takeovers += c.record.exits(ChaosRecord.Exit.TAKEOVER);
      resumes += c.record.resumes;
      slowCloses += c.record.slowCloses;
    }
    // The chaos really happened: every kind of exit, and as many resumes.
    check(failed, clean > 0, "clean closes");
    check(failed, aborts > 0, "resets");
    check(failed, takeovers > 0, "takeovers");
    check(
        failed,
        resumes >= clean + aborts + takeovers + slowCloses,
        "a resume after every exit and every close 4001: %d resumes",
        resumes);
    System.out.printf(
        "  exits: %d clean, %d resets, %d takeovers; %d closes 4001 of clients that fell behind; %d"
            + " resumes; stalls %d void, %d inconclusive%n",
        clean, aborts, takeovers, slowCloses, resumes, voided, inconclusive);
    assertThat(failed).as("failed verdicts (%d)", failed.size()).isEmpty();

    long leaving = System.nanoTime();
    awaitNoConnections();
    System.out.printf(
        "  every connection gone in %d ms%n", (System.nanoTime() - leaving) / 1_000_000);
    assertThat(server.connections()).as("/api/connections after every client left").isEmpty();
  }

  /** Adds the verdict {@code what} to {@code failed} unless {@code ok}. */
  private static void check(List<String> failed, boolean ok, String what, Object... args) {
    if (!ok) {
      failed.add(String.format(what, args));
    }
  }

  /** Publishes the bulk topic's {@link #BULK_ROWS} rows of {@link #BULK_ROW_BYTES}. */
  static void publishBulk(TestServer server, String topic) {
    for (int b = 0; b < BULK_ROWS; b += 40) {
      JsonArray rows = new JsonArray();
      for (int k = b; k < b + 40; k++) {
        rows.add(
            new JsonObject()
                .put("op", "INSERT")
                .put("key", "b" + k)
                .put("row", new JsonObject().put("pad", "b".repeat(BULK_ROW_BYTES))));
      }
      server.publish(topic, rows);
    }
  }

  /**
   * {@code count} changes of 50 keys, a tenth of them deletes, rows of {@code pad..pad+spread}
   * bytes.
   */
  static JsonArray changes(Random r, long n, int count, int pad, int spread) {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < count; i++) {
      String key = "k" + r.nextInt(50);
      batch.add(
          r.nextInt(10) == 0
              ? new JsonObject().put("op", "DELETE").put("key", key)
              : new JsonObject()
                  .put("op", "UPDATE")
                  .put("key", key)
                  .put(
                      "row",
                      new JsonObject()
                          .put("n", n + i)
                          .put("pad", "x".repeat(pad + r.nextInt(spread)))));
    }
    return batch;
  }

  /**
   * Publishes to {@code topic} at {@code perSecond} changes until told to stop: each publish
   * carries the changes due since the last one, so a slow answer does not lower the rate.
   */
  private void publish(
      String topic,
      int perSecond,
      int maxBatch,
      int pad,
      int spread,
      Random r,
      AtomicBoolean publishing) {
    long start = System.nanoTime();
    long sent = 0;
    long slowest = 0;
    int publishes = 0;
    while (publishing.get()) {
      long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L - sent;
      if (due < 1) {
        LockSupport.parkNanos(1_000_000_000L / perSecond); // pacing, not synchronisation
        continue;
      }
      int n = (int) Math.min(due, maxBatch);
      long t0 = System.nanoTime();
      server.publish(topic, changes(r, sent, n, pad, spread));
      slowest = Math.max(slowest, System.nanoTime() - t0);
      publishes++;
      sent += n;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "  publisher %s: %.0f changes/s of %d wanted, %d publishes, slowest %d ms%n",
        topic, sent / seconds, perSecond, publishes, slowest / 1_000_000);
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
      long[] t = c.record.accountant.totals();
      for (int i = 0; i < 3; i++) {
        totals[i] += t[i];
      }
      connections += c.record.connections;
      stalls += c.record.stalls.size();
    }
    return String.format(
        "%d connections, %d stalls ended; seqs received %d, named by dropped %d, covered by"
            + " snapshots %d",
        connections, stalls, totals[0], totals[1], totals[2]);
  }

  /**
   * Polls {@code GET /api/connections} and checks every connection against the bounds; notes when
   * its first and last polls ended and whether one saw a buffer at or above warn.
   */
  private final class BoundsPoller implements Runnable {
    private volatile boolean stopped;
    private int polls;
    private long firstPollNanos = Long.MAX_VALUE;
    private long lastPollNanos = Long.MIN_VALUE;
    private boolean sawWarnedBuffer;
    private long maxGapNanos;
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
        long now = System.nanoTime();
        synchronized (this) {
          polls++;
          firstPollNanos = Math.min(firstPollNanos, now);
          if (polls > 1) {
            maxGapNanos = Math.max(maxGapNanos, now - lastPollNanos);
          }
          lastPollNanos = now;
          for (Object o : conns) {
            JsonObject c = (JsonObject) o;
            int pending = c.getInteger("pending");
            long bytes = c.getLong("pendingBytes");
            sawWarnedBuffer |= c.getDouble("fill") >= WARN;
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

    synchronized boolean sawWarnedBuffer() {
      return sawWarnedBuffer;
    }

    synchronized long firstPollNanos() {
      return firstPollNanos;
    }

    synchronized long lastPollNanos() {
      return lastPollNanos;
    }

    synchronized List<String> violations() {
      return new ArrayList<>(violations);
    }

    @Override
    public synchronized String toString() {
      return polls
          + " polls, at most "
          + maxGapNanos / 1_000_000
          + " ms apart, max pending "
          + maxPending
          + " of "
          + BUFFER_MAX
          + ", max pendingBytes "
          + maxPendingBytes
          + " of "
          + BUFFER_MAX_BYTES;
    }
  }
}
