package io.slipstream.server.chaos;

import io.slipstream.server.testing.RawWebSocket;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One chaos client over raw sockets, as a life of connections: follows its topics, ends each
 * connection at a random moment in one of the three {@link ChaosRecord.Exit} ways, then resumes
 * with its token and positions (docs/protocol.md, resuming), until the run drains and it has caught
 * up. What one connection reads, and a stall, are {@link ChaosConnection}'s; what the client saw is
 * its {@link ChaosRecord}.
 *
 * <p>When asked to ({@link #stall()}), it subscribes to the bulk topic and stops reading until the
 * server ends the connection, then reads what was left for it: the connection must end with 4001
 * after a {@code warning} or {@code dropped}, and the client resumes, and unsubscribes from the
 * bulk topic, which its session restored. The bulk topic (megabytes of rows, never changed) is
 * there because a stalled loopback socket absorbs megabytes (the server's kernel send buffer grows
 * to {@code net.ipv4.tcp_wmem}'s maximum) before the server's buffer holds one event; at the other
 * topics' rates that would take a minute, while the bulk snapshot, streamed as fast as the socket
 * takes it, fills it at once. The other topics' live events then fill the buffer.
 *
 * <p>Runs on its own thread; {@link #stall()} and {@link #stalling()} are called from the test's
 * thread; the test reads {@link #record} after {@link #run()} returned.
 */
final class ChaosClient implements Runnable {

  /** Receive buffer of each socket: small, so a stall pushes back on the server at once. */
  static final int RECEIVE_BUFFER = 4096;

  /** A connection silent this long is broken. */
  static final int READ_TIMEOUT_MS = 10_000;

  /** How long a stalled client waits for the server to end its connection before it gives up. */
  static final long STALL_LIMIT_MS = 10_000;

  final String name;
  final List<String> topics;
  final Random random;
  final ChaosRun run;
  final ChaosRecord record;

  final AtomicBoolean stallRequested = new AtomicBoolean();

  /** A stall in progress, from the moment the client stops reading to its connection's end. */
  volatile boolean stalled;

  /**
   * Whether the bulk topic is followed: from the stall's subscribe to its unsubscribed. No stall
   * begins while it is: its subscribe would race the unsubscribe of the last stall's bulk topic.
   */
  volatile boolean bulkFollowed;

  /** The resume token of the last welcome, or null before the first. */
  String token;

  /** The session of the last welcome, or null before the first. */
  volatile String session;

  /** The node's id of the last connection whose id was learned, or null. */
  String lastNodeConnection;

  /** The old socket of a takeover, reset once the new connection is welcomed. */
  RawWebSocket orphan;

  ChaosClient(String name, List<String> topics, Random random, ChaosRun run) {
    this.name = name;
    this.topics = List.copyOf(topics);
    this.random = random;
    this.run = run;
    this.record = new ChaosRecord(name);
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
      if (record.accountant.position(t) < run.finals.get(t)) {
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
          behind.add(t + " at " + record.accountant.position(t) + " of " + run.finals.get(t));
        }
        record.violation("not caught up by the drain deadline: " + behind);
      }
    } catch (Throwable t) {
      record.crashed(t);
    } finally {
      if (orphan != null) {
        orphan.abort();
      }
    }
  }

  /** One connection, from hello to its end. */
  private void connectOnce() throws IOException, InterruptedException {
    record.connections++;
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
        if (record.accountant.epoch(t) != null) {
          positions.put(
              t,
              new JsonObject()
                  .put("epoch", record.accountant.epoch(t))
                  .put("seq", record.accountant.position(t)));
        }
      }
      hello.put("positions", positions);
    }
    long helloMs = System.currentTimeMillis();
    ws.send(hello.encode());
    record.log(
        "connect #"
            + record.connections
            + ": "
            + hello.copy().put("resume", resuming ? "…" : null).encode());
    ChaosConnection c = new ChaosConnection(this, ws, resuming, helloMs);
    try {
      c.loop();
    } catch (SocketTimeoutException e) {
      record.violation(
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

  /** The client's positions, for the journal. */
  String positions() {
    StringBuilder sb = new StringBuilder();
    for (String t : topics) {
      sb.append(t).append('@').append(record.accountant.position(t)).append(' ');
    }
    if (bulkFollowed) {
      sb.append(run.bulk).append('@').append(record.accountant.position(run.bulk));
    }
    return sb.toString().trim();
  }
}
