package io.slipstream.server.chaos;

import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.SeqAccountant;
import io.vertx.core.json.JsonArray;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One chaos client over a raw socket: follows its topics with a {@link SeqAccountant}, acks as it
 * goes, and ends each connection at a random moment in one of three ways, then resumes with its
 * token and positions (docs/protocol.md, resuming):
 *
 * <ul>
 *   <li>{@link Exit#CLEAN}: a close frame, reading what comes before the server's close;
 *   <li>{@link Exit#ABORT}: a TCP reset, and a new connection at once, racing the server's
 *       notice of the reset;
 *   <li>{@link Exit#TAKEOVER}: a new connection first, the old one reset only after the new one's
 *       {@code welcome}: the server has not noticed anything when the session is resumed.
 * </ul>
 *
 * <p>When asked to ({@link #stall()}), it stops reading until the server publishes {@code slow}
 * for its session, then reads what was left for it: the connection must end with 4001 after a
 * {@code warning} or {@code dropped}, and the client resumes.
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
  record Stall(String session, boolean warned, boolean dropped, int closeCode, long warnedTs, long slowTs) {}

  /** What every client shares: the server, the lifecycle log, the phase of the run. */
  static final class Run {
    final int port;
    final long sustainMs;
    final LifecycleLog lifecycle;
    final AtomicBoolean draining = new AtomicBoolean();
    /** The last published seq per topic, set when draining starts. */
    final Map<String, Long> finals = new ConcurrentHashMap<>();
    volatile long drainDeadlineNanos = Long.MAX_VALUE;

    Run(int port, long sustainMs, LifecycleLog lifecycle) {
      this.port = port;
      this.sustainMs = sustainMs;
      this.lifecycle = lifecycle;
    }
  }

  /** Receive buffer of each socket: small, so a stall pushes back on the server at once. */
  static final int RECEIVE_BUFFER = 4096;
  /** A connection silent this long is broken. */
  static final int READ_TIMEOUT_MS = 10_000;
  /** How long a stalled client waits for the server's {@code slow} before it gives up. */
  static final long STALL_LIMIT_MS = 10_000;
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
  private String token;
  private String session;
  /** The old socket of a takeover, reset once the new connection is welcomed. */
  private RawWebSocket orphan;

  final List<Stall> stalls = new ArrayList<>();
  final Map<Exit, Integer> exits = new HashMap<>();
  int connections;
  int resumes;
  private final List<String> violations = new ArrayList<>();
  private int violationCount;
  private Throwable crash;

  ChaosClient(String name, List<String> topics, Random random, Run run) {
    this.name = name;
    this.topics = List.copyOf(topics);
    this.random = random;
    this.run = run;
    this.accountant = new SeqAccountant(name);
  }

  /** Asks the client to stop reading at its next message; false when it is busy. */
  boolean stall() {
    return !run.draining.get() && session != null && stallRequested.compareAndSet(false, true);
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
      for (String t : topics) {
        if (accountant.epoch(t) != null) {
          positions.put(t, new JsonObject().put("epoch", accountant.epoch(t)).put("seq", accountant.position(t)));
        }
      }
      hello.put("positions", positions);
    }
    ws.send(hello.encode());
    // Pings after hello: by their pongs, a resumed session has restored (and announced) every
    // subscription, since subscribed is queued when the hub join completes, before later pongs.
    ws.send("{\"type\":\"ping\",\"id\":\"after-hello-1\"}");
    Connection c = new Connection(ws, resuming);
    c.budget = 50 + random.nextInt(1500);
    try {
      c.loop();
    } catch (SocketTimeoutException e) {
      violation("nothing for " + READ_TIMEOUT_MS + " ms on a connection (" + c.describe() + ")");
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
    int pongs;
    int budget;
    int messages;
    /** The stall in progress: set from the moment the client stops reading. */
    long stalledAtMs = -1;
    boolean stallWarned;
    boolean stallDropped;
    JsonObject slow;

    Connection(RawWebSocket ws, boolean resuming) {
      this.ws = ws;
      this.resuming = resuming;
    }

    String describe() {
      return (resuming ? "resumed" : "fresh") + ", " + messages + " messages, subscribed " + subscribedHere
          + (stalledAtMs >= 0 ? ", stalled" : "");
    }

    void loop() throws IOException, InterruptedException {
      while (true) {
        if (welcomed && stalledAtMs < 0 && stallRequested.get()) {
          stallNow();
        }
        if (welcomed && stalledAtMs < 0 && !run.draining.get() && budget <= 0) {
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
      }
    }

    private void stallNow() throws InterruptedException {
      stallRequested.set(false);
      stalledAtMs = System.currentTimeMillis();
      // Not reading: the socket, then the server's write queue, then the buffer fill up. The
      // server says when it gives up on this client; until then (or the limit) nothing is read.
      slow = run.lifecycle.await(session, "slow", stalledAtMs, STALL_LIMIT_MS);
      if (slow == null) {
        violation("stalled " + STALL_LIMIT_MS + " ms without the server calling the client slow");
        stalledAtMs = -1;
      }
    }

    private void closed(int code) {
      if (stalledAtMs >= 0) {
        JsonObject warned = run.lifecycle.latest(session, "warned", 0, slow.getLong("ts"));
        stalls.add(new Stall(session, stallWarned, stallDropped, code, warned == null ? -1 : warned.getLong("ts"), slow.getLong("ts")));
        stalledAtMs = -1;
      } else {
        violation("closed " + code + " by the server (" + describe() + ")");
      }
      ws.closeGracefully(1000, 1_000);
    }

    private void exit() throws IOException {
      Exit e = Exit.values()[random.nextInt(Exit.values().length)];
      exits.merge(e, 1, Integer::sum);
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
      String type = m.getString("type");
      String topic = m.getString("topic");
      switch (type) {
        case "welcome":
          welcome(m);
          break;
        case "pong":
          if (open) {
            pong();
          }
          break;
        case "subscribed":
          if (!topics.contains(topic)) {
            violation("subscribed to a topic never asked for: " + m);
            break;
          }
          subscribedHere.add(topic);
          accountant.subscribed(topic, m.getString("epoch"), m.getLong("seq"), "snapshot".equals(m.getString("mode")));
          break;
        case "change":
          if (!subscribedHere.contains(topic)) {
            violation("a change before subscribed on this connection: " + m.encode().substring(0, 120));
          }
          if (!Boolean.TRUE.equals(m.getBoolean("snapshot"))) {
            accountant.change(topic, m.getString("epoch"), m.getLong("seq"));
            if (sinceAck.merge(topic, 1, Integer::sum) >= ACK_EVERY && open) {
              sinceAck.put(topic, 0);
              ws.send(new JsonObject().put("type", "ack").put("topic", topic).put("seq", accountant.position(topic)).encode());
            }
          }
          break;
        case "dropped":
          stallDropped |= stalledAtMs >= 0;
          accountant.dropped(topic, m.getLong("from"), m.getLong("to"));
          break;
        case "warning":
          stallWarned |= stalledAtMs >= 0;
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
      token = m.getString("resume");
      if (orphan != null) {
        orphan.abort();
        orphan = null;
      }
      if (resuming) {
        if (!Boolean.TRUE.equals(m.getBoolean("resumed")) || !m.getString("session").equals(session)) {
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

    /** The pongs after hello: by the second, every restored subscription has been announced. */
    private void pong() throws IOException {
      pongs++;
      if (pongs == 1) {
        ws.send("{\"type\":\"ping\",\"id\":\"after-hello-2\"}");
        return;
      }
      if (pongs == 2 && resuming) {
        List<String> missing = new ArrayList<>();
        for (String t : topics) {
          if (!subscribedHere.contains(t)) {
            missing.add(t);
          }
        }
        if (!missing.isEmpty()) {
          violation("resumed without subscribed for " + missing + " (" + describe() + "); subscribing again");
          subscribeAll(missing);
        }
      }
    }

    private void subscribeAll(List<String> which) throws IOException {
      for (String t : which) {
        JsonObject sub = new JsonObject().put("type", "subscribe").put("topic", t);
        if (accountant.epoch(t) != null) {
          sub.put("from", new JsonObject().put("epoch", accountant.epoch(t)).put("seq", accountant.position(t)));
        }
        ws.send(sub.encode());
      }
    }
  }

  private void violation(String what) {
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

  /** The topics, for the report. */
  List<String> topics() {
    return topics;
  }

  static JsonArray describe(List<ChaosClient> clients) {
    JsonArray a = new JsonArray();
    for (ChaosClient c : clients) {
      a.add(new JsonObject().put("client", c.name).put("connections", c.connections).put("resumes", c.resumes));
    }
    return a;
  }
}
