package io.slipstream.server.chaos;

import io.slipstream.server.testing.RawWebSocket;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One connection of a {@link ChaosClient}: reads until the server closes it or the client ends it
 * (its budget of messages spent, or caught up while draining), accounts for every message in the
 * client's {@link ChaosRecord}, acks as it goes, and runs a stall when one is asked for.
 *
 * <p>A stall waits for the server to end this connection, named by its id (from the {@code
 * connected} or {@code resumed} event of the hello): {@code slow} since the stall began, or {@code
 * disconnected}. A {@code disconnected} without that {@code slow} means the server had ended the
 * connection before the stall (a client that fell behind on a loaded machine, closed 4001 before
 * the client read that far): the stall is void and the close is accounted as what it is.
 *
 * <p>Confined to its client's thread.
 */
final class ChaosConnection {

  /** How long after welcome every topic of a resumed session must have been announced. */
  static final long RESTORE_MS = 10_000;

  /** A connection the client ends this long after welcome must have announced every topic. */
  static final long EXIT_RESTORE_MS = 5_000;

  /** How long a welcomed connection's {@code connected} or {@code resumed} event may take. */
  static final long BOUND_EVENT_MS = 5_000;

  /**
   * How much longer a stall whose limit passed waits for the node's verdict when the node's view
   * shows it coming (the connection gone, or at or above disconnect).
   */
  static final long LATE_MS = 5_000;

  /** Acks are sent every this many changes of a topic. */
  static final int ACK_EVERY = 50;

  private final ChaosClient client;
  private final ChaosRecord record;
  private final ChaosRun run;
  private final RawWebSocket ws;
  private final boolean resuming;

  /** When the hello was sent (wall ms, as the node's event {@code ts}). */
  private final long helloMs;

  /** The node's id of this connection, once learned ({@link #nodeConnection()}). */
  private String nodeId;

  private final Set<String> subscribedHere = new HashSet<>();
  private final Map<String, Integer> sinceAck = new HashMap<>();
  private boolean welcomed;
  private long welcomedAtNanos;

  /** Whether the restored subscriptions were checked (once per connection). */
  private boolean restoreChecked;

  /** Whether this connection asked to unsubscribe from the bulk topic. */
  private boolean unsubscribing;

  /** Messages left before the client ends the connection. */
  private int budget;

  private int messages;

  /** The stall in progress: set from the moment the client stops reading. */
  private long stalledAtMs = -1;

  private int stallWarnings;
  private boolean stallDropped;
  private JsonObject slow;

  /** The types of the last few messages, for reports. */
  private final ArrayDeque<String> recent = new ArrayDeque<>();

  ChaosConnection(ChaosClient client, RawWebSocket ws, boolean resuming, long helloMs) {
    this.client = client;
    this.record = client.record;
    this.run = client.run;
    this.ws = ws;
    this.resuming = resuming;
    this.helloMs = helloMs;
    this.budget = 50 + client.random.nextInt(1500);
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

  /** Reads until the connection ends. */
  void loop() throws IOException, InterruptedException {
    while (true) {
      if (welcomed && stalledAtMs < 0 && client.stallRequested.get()) {
        stallNow();
      }
      if (welcomed && stalledAtMs < 0 && !run.calm.get() && budget <= 0) {
        exit();
        return;
      }
      if (run.draining.get() && stalledAtMs < 0 && client.caughtUp()) {
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
      handle(parse(f.text()), true);
      checkRestored(false);
    }
  }

  // ---------------------------------------------------------------- stall

  private void stallNow() throws InterruptedException, IOException {
    client.stallRequested.set(false);
    record.log("stall at " + client.positions());
    ws.send(new JsonObject().put("type", "subscribe").put("topic", run.bulk).encode());
    client.bulkFollowed = true;
    client.stalled = true;
    stalledAtMs = System.currentTimeMillis();
    // Not reading: the socket, then the server's write queue, then the buffer fill up. The
    // server says when it gives up on this connection; until then (or the limit) nothing is read.
    Map<String, Long> before = new HashMap<>();
    for (String t : client.topics) {
      before.put(t, record.accountant.position(t));
    }
    String id = nodeConnection();
    long since = stalledAtMs;
    Predicate<JsonObject> ended =
        e ->
            id.equals(e.getString("connection"))
                && ("disconnected".equals(e.getString("event"))
                    || ("slow".equals(e.getString("event")) && e.getLong("ts") >= since));
    JsonObject end = run.lifecycle.await(client.session, ended, ChaosClient.STALL_LIMIT_MS);
    JsonObject node = null;
    if (end == null) {
      // The node's view, then a last look: on a starved machine the node's verdict may come
      // while its view is fetched (the connection gone, or at disconnect with its timer due).
      node = run.connectionOf.apply(client.session);
      boolean ending = node == null || node.getDouble("fill") >= run.disconnect;
      end = run.lifecycle.await(client.session, ended, ending ? LATE_MS : 0);
      if (end != null) {
        record.log("stall ended late: " + end.encode());
      }
    }
    if (end == null) {
      client.stalled = false;
      judgeUnendedStall(before, node);
      stalledAtMs = -1;
    } else if ("slow".equals(end.getString("event"))) {
      slow = end;
    } else {
      // Ended before the stall could tell: what is left to read says how (closed() accounts it).
      record.voidStalls++;
      record.log("stall void: the node had ended the connection: " + end.encode());
      client.stalled = false;
      stalledAtMs = -1;
    }
  }

  /**
   * The node's id of this connection: that of the latest {@code connected} or {@code resumed}
   * event of the session since the hello (this connection is welcomed, and the client opens no
   * other before it ends), or "?" when it did not come within {@link #BOUND_EVENT_MS}.
   */
  private String nodeConnection() throws InterruptedException {
    if (nodeId != null) {
      return nodeId;
    }
    String previous = client.lastNodeConnection;
    JsonObject bound =
        run.lifecycle.await(
            client.session,
            e ->
                ("connected".equals(e.getString("event"))
                        || "resumed".equals(e.getString("event")))
                    && e.getLong("ts") >= helloMs
                    && !e.getString("connection").equals(previous),
            BOUND_EVENT_MS);
    if (bound == null) {
      record.violation("no connected or resumed event within " + BOUND_EVENT_MS + " ms of welcome");
      return "?";
    }
    nodeId = bound.getString("connection");
    client.lastNodeConnection = nodeId;
    return nodeId;
  }

  /**
   * A stall the server did not end within {@link ChaosClient#STALL_LIMIT_MS}: a fault when the
   * node's buffer is at or above disconnect, or when the topics published far more than the buffer
   * and the socket hold while the buffer holds nothing (live events neither queued nor dropped);
   * else inconclusive.
   */
  private void judgeUnendedStall(Map<String, Long> before, JsonObject node) {
    long advanced = 0;
    for (String t : client.topics) {
      advanced += Math.max(0, run.seqOf.applyAsLong(t) - before.get(t));
    }
    String seen =
        "("
            + describe()
            + "); the topics advanced "
            + advanced
            + " seqs; the node has "
            + node
            + "; lifecycle "
            + run.lifecycle.describe(client.session);
    String stalled = "stalled " + ChaosClient.STALL_LIMIT_MS + " ms";
    if (node == null) {
      record.violation(
          stalled + ", then the node held no connection of the session, said nothing " + seen);
    } else if (node.getDouble("fill") >= run.disconnect) {
      record.violation(
          stalled + " at or above disconnect without the server calling the client slow " + seen);
    } else if (advanced > 3L * run.bufferMax && node.getInteger("pending") < run.bufferMax / 10) {
      // The bulk snapshot fills the socket within a second; what the topics published since
      // must be in the buffer or named as dropped, and more was published than both hold.
      record.violation(
          stalled + " while its topics' live events were neither queued nor dropped " + seen);
    } else {
      record.inconclusiveStalls++;
      record.log("stall inconclusive " + seen);
    }
  }

  // ---------------------------------------------------------------- endings

  private void closed(int code) {
    record.log("closed " + code + " at " + client.positions());
    if (stalledAtMs >= 0) {
      // The first warned of the stall: the fill crossed warn, then disconnect, then stayed.
      String id = slow.getString("connection");
      long from = stalledAtMs;
      long to = slow.getLong("ts");
      JsonObject warned =
          run.lifecycle.first(
              client.session,
              e ->
                  "warned".equals(e.getString("event"))
                      && id.equals(e.getString("connection"))
                      && e.getLong("ts") >= from
                      && e.getLong("ts") <= to);
      record.stalls.add(
          new ChaosRecord.Stall(
              client.session,
              stallWarnings,
              stallDropped,
              code,
              warned == null ? -1 : warned.getLong("ts"),
              slow.getLong("ts")));
      stalledAtMs = -1;
      client.stalled = false;
    } else if (code == 4001) {
      // Fell behind without stalling (a loaded machine): a slow consumer, and it resumes.
      record.slowCloses++;
    } else {
      record.violation("closed " + code + " by the server (" + describe() + ")");
    }
    ws.closeGracefully(1000, 1_000);
  }

  private void exit() throws IOException {
    checkRestored(true);
    ChaosRecord.Exit e =
        ChaosRecord.Exit.values()[client.random.nextInt(ChaosRecord.Exit.values().length)];
    record.exit(e);
    record.log("exit " + e + " at " + client.positions());
    switch (e) {
      case CLEAN:
        for (String late : ws.closeGracefully(1000, 5_000)) {
          handle(parse(late), false);
        }
        break;
      case ABORT:
        ws.abort();
        break;
      default:
        client.orphan = ws; // reset after the next welcome
        break;
    }
  }

  // ---------------------------------------------------------------- messages

  /**
   * Accounts for one message.
   *
   * @param open whether the socket is still open (acks and unsubscribes may be sent)
   */
  private void handle(JsonObject m, boolean open) throws IOException {
    remember(m);
    String type = m.getString("type");
    if (!"change".equals(type)) {
      record.log(
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
        subscribed(m, topic, open);
        break;
      case "unsubscribed":
        if (!topic.equals(run.bulk)) {
          record.violation("unsubscribed without asking: " + m);
        }
        subscribedHere.remove(topic);
        client.bulkFollowed = false;
        break;
      case "change":
        change(m, topic, open);
        break;
      case "dropped":
        stallDropped |= stalledAtMs >= 0;
        record.accountant.dropped(topic, m.getLong("from"), m.getLong("to"));
        break;
      case "warning":
        if (stalledAtMs >= 0) {
          stallWarnings++;
        }
        break;
      case "ping":
        if (open) {
          // The one after a resume's welcome: its answer retires the old token (§7).
          ws.send("{\"type\":\"pong\"}");
        }
        break;
      case "snapshot":
      case "reset":
        break;
      default:
        record.violation("unexpected " + m.encode());
    }
  }

  private void subscribed(JsonObject m, String topic, boolean open) throws IOException {
    if (!client.topics.contains(topic) && !topic.equals(run.bulk)) {
      record.violation("subscribed to a topic never asked for: " + m);
      return;
    }
    if (topic.equals(run.bulk) && !client.bulkFollowed) {
      // Unsubscribed (its unsubscribed came), yet restored by the session.
      record.violation(
          "subscribed again to " + topic + " after unsubscribed (" + describe() + ")");
    }
    subscribedHere.add(topic);
    record.accountant.subscribed(
        topic, m.getString("epoch"), m.getLong("seq"), "snapshot".equals(m.getString("mode")));
    if (topic.equals(run.bulk)) {
      client.bulkFollowed = true;
      if (stalledAtMs < 0 && open && !unsubscribing) {
        // Restored by the resumed session: the stall is over, so the bulk topic goes. Once per
        // connection: a reset restarts the subscription with another subscribed.
        unsubscribing = true;
        ws.send(new JsonObject().put("type", "unsubscribe").put("topic", run.bulk).encode());
      }
    }
  }

  private void change(JsonObject m, String topic, boolean open) throws IOException {
    if (!subscribedHere.contains(topic) || (topic.equals(run.bulk) && !client.bulkFollowed)) {
      record.violation(
          "a change before subscribed on this connection: " + m.encode().substring(0, 120));
    }
    if (Boolean.TRUE.equals(m.getBoolean("snapshot"))) {
      return;
    }
    record.accountant.change(topic, m.getString("epoch"), m.getLong("seq"));
    // The bulk topic is not acked: an ack racing its unsubscribe would be an error.
    if (!topic.equals(run.bulk) && sinceAck.merge(topic, 1, Integer::sum) >= ACK_EVERY && open) {
      sinceAck.put(topic, 0);
      ws.send(
          new JsonObject()
              .put("type", "ack")
              .put("topic", topic)
              .put("seq", record.accountant.position(topic))
              .encode());
    }
  }

  private void welcome(JsonObject m) throws IOException {
    welcomed = true;
    welcomedAtNanos = System.nanoTime();
    client.token = m.getString("resume");
    if (client.orphan != null) {
      client.orphan.abort();
      client.orphan = null;
    }
    if (resuming) {
      if (!Boolean.TRUE.equals(m.getBoolean("resumed"))
          || !m.getString("session").equals(client.session)) {
        record.violation("resume refused: " + m.encode());
        subscribeAll(client.topics);
      } else {
        record.resumes++;
      }
    } else {
      subscribeAll(client.topics);
    }
    client.session = m.getString("session");
  }

  /**
   * A resumed session announces each restored subscription with subscribed, one after another
   * (the server runs one catch-up at a time, so a long replay delays the next subscribed): a topic
   * not announced {@link #RESTORE_MS} after welcome, while messages flow, or by the client's exit
   * at least {@link #EXIT_RESTORE_MS} after welcome, is missing. Not subscribed again: the next
   * resume names it again, and the drain shows whether it ever came.
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
    for (String t : client.topics) {
      if (!subscribedHere.contains(t)) {
        missing.add(t);
      }
    }
    if (!missing.isEmpty()) {
      record.violation(
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
      if (record.accountant.epoch(t) != null) {
        sub.put(
            "from",
            new JsonObject()
                .put("epoch", record.accountant.epoch(t))
                .put("seq", record.accountant.position(t)));
      }
      ws.send(sub.encode());
      record.log("> " + sub.encode());
    }
  }

  /** A server frame as JSON; one that is not says what it was, for the crash report. */
  private static JsonObject parse(String text) {
    try {
      return new JsonObject(text);
    } catch (io.vertx.core.json.DecodeException e) {
      String shown = text == null ? "null" : text.length() > 300 ? text.substring(0, 300) + "…" : text;
      throw new IllegalStateException("not a JSON object from the server: " + shown, e);
    }
  }
}
