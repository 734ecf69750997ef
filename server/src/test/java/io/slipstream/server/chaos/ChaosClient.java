package io.slipstream.server.chaos;

import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.SeqAccountant;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One chaos client over a raw socket: follows its topics with a {@link SeqAccountant}, acks as it
 * goes, and ends each connection at a random moment in one of three ways, then resumes with its
 * token and positions (docs/protocol.md, resuming):
 *
 * <ul>
 *   <li>{@link Exit#CLEAN}: a close frame, reading what comes before the server's close;
 *   <li>{@link Exit#ABORT}: a TCP reset, and a new connection at once, racing the server's notice
 *       of the reset;
 *   <li>{@link Exit#TAKEOVER}: a new connection first, the old one reset only after the new one's
 *       {@code welcome}: the server has not noticed anything when the session is resumed.
 * </ul>
 *
 * <p>When asked to ({@link #stall()}), it subscribes to the bulk topic and stops reading until the
 * server publishes {@code slow} for its session, then reads what was left for it: the connection
 * must end with 4001 after a {@code warning} or {@code dropped}, and the client resumes, and
 * unsubscribes from the bulk topic, which its session restored. The bulk topic (megabytes of rows,
 * never changed) is there because a stalled loopback socket absorbs megabytes (the server's kernel
 * send buffer grows to {@code net.ipv4.tcp_wmem}'s maximum) before the server's buffer holds one
 * event; at the other topics' rates that would take a minute, while the bulk snapshot, streamed as
 * fast as the socket takes it, fills it at once. The other topics' live events then fill the
 * buffer.
 *
 * <p>Runs on its own thread; the test reads its results after {@link #run()} returned.
 */
final class ChaosClient implements Runnable {

  /** How a connection ends, when the client ends it. */
  enum Exit {
    CLEAN,
    ABORT,
    TAKEOVER
  }

  /** One stall: what the client saw after it resumed reading, and when the server gave up. */
  record Stall(
      String session, int warnings, boolean dropped, int closeCode, long warnedTs, long slowTs) {}

  /** What every client shares: the server, the lifecycle log, the phase of the run. */
  static final class Run {
    final int port;
    final LifecycleLog lifecycle;

    /** The topic a stalling client subscribes to: megabytes of state, never changed. */
    final String bulk;

    /** The node's view of a session's connection ({@code /api/connections}), or null. */
    volatile java.util.function.Function<String, JsonObject> connectionOf = s -> null;

    /** The node's seq of a topic ({@code /api/topics/{topic}}). */
    volatile java.util.function.ToLongFunction<String> seqOf = t -> -1;

    /** Buffer bounds and threshold, to judge a stall that did not end. */
    volatile int bufferMax;

    volatile double disconnect;

    /** No more chaos: clients stop ending connections and stalling; set before draining. */
    final AtomicBoolean calm = new AtomicBoolean();

    final AtomicBoolean draining = new AtomicBoolean();

    /** The last published seq per topic, set (all at once) when draining starts; empty before. */
    volatile Map<String, Long> finals = Map.of();

    volatile long drainDeadlineNanos = Long.MAX_VALUE;

    Run(int port, LifecycleLog lifecycle, String bulk) {
      this.port = port;
      this.lifecycle = lifecycle;
      this.bulk = bulk;
    }
  }

  /** Receive buffer of each socket: small, so a stall pushes back on the server at once. */
  static final int RECEIVE_BUFFER = 4096;

  /** A connection silent this long is broken. */
  static final int READ_TIMEOUT_MS = 10_000;

  /** How long a stalled client waits for the server's {@code slow} before it gives up. */
  static final long STALL_LIMIT_MS = 10_000;

  /** How long after welcome every topic of a resumed session must have been announced. */
  static final long RESTORE_MS = 10_000;

  /** A connection the client ends this long after welcome must have announced every topic. */
  static final long EXIT_RESTORE_MS = 5_000;

  /** Acks are sent every this many changes of a topic. */
  static final int ACK_EVERY = 50;

  /** Violations kept in full per client. */
  static final int KEPT = 20;

  final String name;
  private final List<String> topics;
  private final Random random;
  private final Run run;
  final SeqAccountant accountant;

  private final AtomicBoolean stallRequested = new AtomicBoolean();

  /** A stall in progress, from the moment the client stops reading to its connection's end. */
  private volatile boolean stalled;

  /**
   * Whether the bulk topic is followed: from the stall's subscribe to its unsubscribed. No stall
   * begins while it is: its subscribe would race the unsubscribe of the last stall's bulk topic.
   */
  private volatile boolean bulkFollowed;

  private String token;
  private volatile String session;

  /** The old socket of a takeover, reset once the new connection is welcomed. */
  private RawWebSocket orphan;

  final List<Stall> stalls = new ArrayList<>();

  /**
   * Stalls that neither ended nor showed a fault: the buffer was below disconnect and the topics
   * had published too little to fill it (a slow machine publishes slowly).
   */
  int inconclusiveStalls;

  final Map<Exit, Integer> exits = new HashMap<>();
  int connections;
  int resumes;

  /** Closes 4001 outside a stall: the client fell behind (a loaded machine); it resumes. */
  int slowCloses;

  private final List<String> violations = new ArrayList<>();
  private int violationCount;
  private Throwable crash;

  /** What the client did and saw lately, for reports: the last {@link #JOURNAL} entries. */
  private final java.util.ArrayDeque<String> journal = new java.util.ArrayDeque<>();

  /** Journal entries kept. */
  static final int JOURNAL = 60;

  /** The journal as it was at the first violation. */
  private List<String> journalAtFirstViolation;

  private final long bornNanos = System.nanoTime();

  ChaosClient(String name, List<String> topics, Random random, Run run) {
    this.name = name;
    this.topics = List.copyOf(topics);
    this.random = random;
    this.run = run;
    this.accountant = new SeqAccountant(name);
  }

  /**
   * Asks the client to stop reading at its next message; false when it is busy (stalling, or the
   * last stall's bulk topic not yet unsubscribed).
   */
  boolean stall() {
    return !run.calm.get()
        && session != null
        && !stalled
        && !bulkFollowed
        && stallRequested.compareAndSet(false, true);
  }

  /** Whether a stall is asked for or in progress (until its connection ends). */
  boolean stalling() {
    return stalled || stallRequested.get();
  }

  /** Whether every topic is accounted through its final seq. */
  boolean caughtUp() {
    if (run.finals.isEmpty()) {
      return false;
    }
    for (String t : topics) {
      if (accountant.position(t) < run.finals.get(t)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void run() {
    try {
      while (!caughtUp() && System.nanoTime() < run.drainDeadlineNanos) {
        connectOnce();
      }
      if (!caughtUp()) {
        List<String> behind = new ArrayList<>();
        for (String t : topics) {
          behind.add(t + " at " + accountant.position(t) + " of " + run.finals.get(t));
        }
        violation("not caught up by the drain deadline: " + behind);
      }
    } catch (Throwable t) {
      crash = t;
    } finally {
      if (orphan != null) {
        orphan.abort();
      }
    }
  }

  /** One connection, from hello to its end. */
  private void connectOnce() throws IOException, InterruptedException {
    connections++;
    RawWebSocket ws = RawWebSocket.connect(run.port, "/ws", RECEIVE_BUFFER);
    ws.readTimeout(READ_TIMEOUT_MS);
    JsonObject hello = new JsonObject().put("type", "hello").put("clientId", name);
    boolean resuming = token != null;
    if (resuming) {
      hello.put("resume", token);
      JsonObject positions = new JsonObject();
      List<String> following = new ArrayList<>(topics);
      if (bulkFollowed) {
        // Still followed (its unsubscribed has not come): the client's position wins over the
        // session's last ack, so nothing comes twice.
        following.add(run.bulk);
      }
      for (String t : following) {
        if (accountant.epoch(t) != null) {
          positions.put(
              t,
              new JsonObject()
                  .put("epoch", accountant.epoch(t))
                  .put("seq", accountant.position(t)));
        }
      }
      hello.put("positions", positions);
    }
    ws.send(hello.encode());
    log(
        "connect #"
            + connections
            + ": "
            + hello.copy().put("resume", resuming ? "…" : null).encode());
    Connection c = new Connection(ws, resuming);
    c.budget = 50 + random.nextInt(1500);
    try {
      c.loop();
    } catch (SocketTimeoutException e) {
      violation(
          "nothing for "
              + READ_TIMEOUT_MS
              + " ms on a connection ("
              + c.describe()
              + "); the node has "
              + run.connectionOf.apply(session)
              + "; lifecycle "
              + run.lifecycle.describe(session));
      ws.abort();
    }
  }

  /** One connection's reading loop and state. */
  private final class Connection {
    final RawWebSocket ws;
    final boolean resuming;
    final Set<String> subscribedHere = new HashSet<>();
    final Map<String, Integer> sinceAck = new HashMap<>();
    boolean welcomed;
    long welcomedAtNanos;

    /** Whether the restored subscriptions were checked (once per connection). */
    boolean restoreChecked;

    /** Whether this connection asked to unsubscribe from the bulk topic. */
    boolean unsubscribing;

    int budget;
    int messages;

    /** The stall in progress: set from the moment the client stops reading. */
    long stalledAtMs = -1;

    int stallWarnings;
    boolean stallDropped;
    JsonObject slow;

    Connection(RawWebSocket ws, boolean resuming) {
      this.ws = ws;
      this.resuming = resuming;
    }

    String describe() {
      return (resuming ? "resumed" : "fresh")
          + ", "
          + messages
          + " messages, subscribed "
          + subscribedHere
          + (stalledAtMs >= 0 ? ", stalled" : "")
          + ", last "
          + recent;
    }

    /** The types of the last few messages, for reports. */
    private final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();

    private void remember(JsonObject m) {
      if (recent.size() == 6) {
        recent.pollFirst();
      }
      recent.addLast(
          m.getString("type")
              + (m.containsKey("topic") ? " " + m.getString("topic") : "")
              + (m.containsKey("seq") ? " " + m.getValue("seq") : "")
              + (m.containsKey("mode") ? " " + m.getString("mode") : ""));
    }

    void loop() throws IOException, InterruptedException {
      while (true) {
        if (welcomed && stalledAtMs < 0 && stallRequested.get()) {
          stallNow();
        }
        if (welcomed && stalledAtMs < 0 && !run.calm.get() && budget <= 0) {
          exit();
          return;
        }
        if (run.draining.get() && stalledAtMs < 0 && caughtUp()) {
          ws.closeGracefully(1000, 2_000);
          return;
        }
        RawWebSocket.Frame f = ws.read();
        if (f.isClose()) {
          closed(f.closeCode());
          return;
        }
        messages++;
        budget--;
        handle(new JsonObject(f.text()), true);
        checkRestored(false);
      }
    }

    private void stallNow() throws InterruptedException, IOException {
      stallRequested.set(false);
      log("stall at " + positions());
      ws.send(new JsonObject().put("type", "subscribe").put("topic", run.bulk).encode());
      bulkFollowed = true;
      stalled = true;
      stalledAtMs = System.currentTimeMillis();
      // Not reading: the socket, then the server's write queue, then the buffer fill up. The
      // server says when it gives up on this client; until then (or the limit) nothing is read.
      Map<String, Long> before = new HashMap<>();
      for (String t : topics) {
        before.put(t, accountant.position(t));
      }
      slow = run.lifecycle.await(session, "slow", stalledAtMs, STALL_LIMIT_MS);
      if (slow == null) {
        stalled = false;
        judgeUnendedStall(before);
        stalledAtMs = -1;
      }
    }

    /**
     * A stall the server did not end within {@link #STALL_LIMIT_MS}: a fault when the node's buffer
     * is at or above disconnect, or when the topics published far more than the buffer and the
     * socket hold while the buffer holds nothing (live events neither queued nor dropped); else
     * inconclusive.
     */
    private void judgeUnendedStall(Map<String, Long> before) {
      JsonObject node = run.connectionOf.apply(session);
      long advanced = 0;
      for (String t : topics) {
        advanced += Math.max(0, run.seqOf.applyAsLong(t) - before.get(t));
      }
      String seen =
          "(" + describe() + "); the topics advanced " + advanced + " seqs; the node has " + node;
      if (node == null) {
        violation(
            "stalled "
                + STALL_LIMIT_MS
                + " ms, then the node held no connection of the session "
                + seen);
      } else if (node.getDouble("fill") >= run.disconnect) {
        violation(
            "stalled "
                + STALL_LIMIT_MS
                + " ms at or above disconnect without the server calling the client slow "
                + seen);
      } else if (advanced > 3L * run.bufferMax && node.getInteger("pending") < run.bufferMax / 10) {
        // The bulk snapshot fills the socket within a second; what the topics published since
        // must be in the buffer or named as dropped, and more was published than both hold.
        violation(
            "stalled "
                + STALL_LIMIT_MS
                + " ms while its topics' live events were neither queued nor dropped "
                + seen);
      } else {
        inconclusiveStalls++;
        log("stall inconclusive " + seen);
      }
    }

    private void closed(int code) {
      log("closed " + code + " at " + positions());
      if (stalledAtMs >= 0) {
        // The first warned of the stall: the fill crossed warn, then disconnect, then stayed.
        JsonObject warned = run.lifecycle.first(session, "warned", stalledAtMs, slow.getLong("ts"));
        stalls.add(
            new Stall(
                session,
                stallWarnings,
                stallDropped,
                code,
                warned == null ? -1 : warned.getLong("ts"),
                slow.getLong("ts")));
        stalledAtMs = -1;
        stalled = false;
      } else if (code == 4001) {
        // Fell behind without stalling (a loaded machine): a slow consumer, and it resumes.
        slowCloses++;
      } else {
        violation("closed " + code + " by the server (" + describe() + ")");
      }
      ws.closeGracefully(1000, 1_000);
    }

    private void exit() throws IOException {
      checkRestored(true);
      Exit e = Exit.values()[random.nextInt(Exit.values().length)];
      exits.merge(e, 1, Integer::sum);
      log("exit " + e + " at " + positions());
      switch (e) {
        case CLEAN:
          for (String late : ws.closeGracefully(1000, 5_000)) {
            handle(new JsonObject(late), false);
          }
          break;
        case ABORT:
          ws.abort();
          break;
        default:
          orphan = ws; // reset after the next welcome
          break;
      }
    }

    /**
     * Accounts for one message.
     *
     * @param open whether the socket is still open (acks and pings may be sent)
     */
    private void handle(JsonObject m, boolean open) throws IOException {
      remember(m);
      String type = m.getString("type");
      if (!"change".equals(type)) {
        log(
            "< "
                + (type.equals("welcome")
                    ? "welcome resumed=" + m.getBoolean("resumed")
                    : m.encode()));
      }
      String topic = m.getString("topic");
      switch (type) {
        case "welcome":
          welcome(m);
          break;
        case "subscribed":
          if (!topics.contains(topic) && !topic.equals(run.bulk)) {
            violation("subscribed to a topic never asked for: " + m);
            break;
          }
          if (topic.equals(run.bulk) && !bulkFollowed) {
            // Unsubscribed (its unsubscribed came), yet restored by the session.
            violation("subscribed again to " + topic + " after unsubscribed (" + describe() + ")");
          }
          subscribedHere.add(topic);
          accountant.subscribed(
              topic,
              m.getString("epoch"),
              m.getLong("seq"),
              "snapshot".equals(m.getString("mode")));
          if (topic.equals(run.bulk)) {
            bulkFollowed = true;
            if (stalledAtMs < 0 && open && !unsubscribing) {
              // Restored by the resumed session: the stall is over, so the bulk topic goes. Once
              // per
              // connection: a reset restarts the subscription with another subscribed.
              unsubscribing = true;
              ws.send(new JsonObject().put("type", "unsubscribe").put("topic", run.bulk).encode());
            }
          }
          break;
        case "unsubscribed":
          if (!topic.equals(run.bulk)) {
            violation("unsubscribed without asking: " + m);
          }
          subscribedHere.remove(topic);
          bulkFollowed = false;
          break;
        case "change":
          if (!subscribedHere.contains(topic) || (topic.equals(run.bulk) && !bulkFollowed)) {
            violation(
                "a change before subscribed on this connection: " + m.encode().substring(0, 120));
          }
          if (!Boolean.TRUE.equals(m.getBoolean("snapshot"))) {
            accountant.change(topic, m.getString("epoch"), m.getLong("seq"));
            // The bulk topic is not acked: an ack racing its unsubscribe would be an error.
            if (!topic.equals(run.bulk)
                && sinceAck.merge(topic, 1, Integer::sum) >= ACK_EVERY
                && open) {
              sinceAck.put(topic, 0);
              ws.send(
                  new JsonObject()
                      .put("type", "ack")
                      .put("topic", topic)
                      .put("seq", accountant.position(topic))
                      .encode());
            }
          }
          break;
        case "dropped":
          stallDropped |= stalledAtMs >= 0;
          accountant.dropped(topic, m.getLong("from"), m.getLong("to"));
          break;
        case "warning":
          if (stalledAtMs >= 0) {
            stallWarnings++;
          }
          break;
        case "snapshot":
        case "reset":
        case "ping":
          break;
        default:
          violation("unexpected " + m.encode());
      }
    }

    private void welcome(JsonObject m) throws IOException {
      welcomed = true;
      welcomedAtNanos = System.nanoTime();
      token = m.getString("resume");
      if (orphan != null) {
        orphan.abort();
        orphan = null;
      }
      if (resuming) {
        if (!Boolean.TRUE.equals(m.getBoolean("resumed"))
            || !m.getString("session").equals(session)) {
          violation("resume refused: " + m.encode());
          subscribeAll(topics);
        } else {
          resumes++;
        }
      } else {
        subscribeAll(topics);
      }
      session = m.getString("session");
    }

    /**
     * A resumed session announces each restored subscription with subscribed, one after another
     * (the server runs one catch-up at a time, so a long replay delays the next subscribed): a
     * topic not announced {@link #RESTORE_MS} after welcome, while messages flow, or by the
     * client's exit at least {@link #EXIT_RESTORE_MS} after welcome, is missing. Not subscribed
     * again: the next resume names it again, and the drain shows whether it ever came.
     */
    private void checkRestored(boolean exiting) {
      long since = System.nanoTime() - welcomedAtNanos;
      if (!resuming
          || restoreChecked
          || !welcomed
          || since < (exiting ? EXIT_RESTORE_MS : RESTORE_MS) * 1_000_000L) {
        return;
      }
      restoreChecked = true;
      List<String> missing = new ArrayList<>();
      for (String t : topics) {
        if (!subscribedHere.contains(t)) {
          missing.add(t);
        }
      }
      if (!missing.isEmpty()) {
        violation(
            "resumed without subscribed for "
                + missing
                + " within "
                + since / 1_000_000
                + " ms ("
                + describe()
                + ")");
      }
    }

    private void subscribeAll(List<String> which) throws IOException {
      for (String t : which) {
        JsonObject sub = new JsonObject().put("type", "subscribe").put("topic", t);
        if (accountant.epoch(t) != null) {
          sub.put(
              "from",
              new JsonObject()
                  .put("epoch", accountant.epoch(t))
                  .put("seq", accountant.position(t)));
        }
        ws.send(sub.encode());
        log("> " + sub.encode());
      }
    }
  }

  private void log(String entry) {
    if (journal.size() == JOURNAL) {
      journal.pollFirst();
    }
    journal.addLast(String.format("%6d ms %s", (System.nanoTime() - bornNanos) / 1_000_000, entry));
  }

  /** The journal at the first violation (empty without one). */
  List<String> journal() {
    return journalAtFirstViolation == null ? List.of() : journalAtFirstViolation;
  }

  private void violation(String what) {
    log("VIOLATION " + what);
    if (journalAtFirstViolation == null) {
      journalAtFirstViolation = new ArrayList<>(journal);
    }
    violationCount++;
    if (violations.size() < KEPT) {
      violations.add(name + ": " + what);
    }
  }

  /** Everything that broke the contract for this client, accountant included. */
  List<String> violations() {
    List<String> out = new ArrayList<>(violations);
    if (violationCount > violations.size()) {
      out.add(name + ": … " + (violationCount - violations.size()) + " more");
    }
    out.addAll(accountant.violations());
    if (crash != null) {
      out.add(name + " crashed: " + crash);
    }
    return out;
  }

  private String positions() {
    StringBuilder sb = new StringBuilder();
    for (String t : topics) {
      sb.append(t).append('@').append(accountant.position(t)).append(' ');
    }
    if (bulkFollowed) {
      sb.append(run.bulk).append('@').append(accountant.position(run.bulk));
    }
    return sb.toString().trim();
  }

  /** The topics, for the report. */
  List<String> topics() {
    return topics;
  }
}
