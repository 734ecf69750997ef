package io.slipstream.server.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client that mirrors one topic as a well-behaved application would: applies the
 * snapshot and every change to a map, and checks the stream as it goes (seqs strictly +1 after
 * the snapshot's seq, snapshot rows at the snapshot's seq, nothing after an unexplained gap).
 *
 * <p>Messages are applied on a Vert.x event loop; read the results from the test thread after
 * {@link #awaitSeq} (the latch publishes them).
 */
public final class MirrorClient implements AutoCloseable {

  private final WebSocketClient client;
  private final String topic;
  private final Map<String, JsonObject> rows = new HashMap<>();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private volatile long lastSeq = -1;
  private volatile long snapshotSeq = -1;
  private volatile int snapshotSize = -1;
  private int snapshotRows;
  private boolean inSnapshot;
  private volatile long target = Long.MAX_VALUE;
  private final CountDownLatch reached = new CountDownLatch(1);
  private volatile long received;
  private WebSocket ws;

  private MirrorClient(WebSocketClient client, String topic) {
    this.client = client;
    this.topic = topic;
  }

  /** Connects, says hello and subscribes to {@code topic}. */
  public static MirrorClient subscribe(Vertx vertx, int port, String topic) {
    WebSocketClient client =
        vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1000));
    MirrorClient m = new MirrorClient(client, topic);
    m.ws =
        client
            .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
            .await();
    m.ws.textMessageHandler(t -> m.onMessage(new JsonObject(t)));
    m.ws.writeTextMessage("{\"type\":\"hello\"}");
    m.ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("topic", topic).encode());
    return m;
  }

  private synchronized void onMessage(JsonObject m) {
    received++;
    String type = m.getString("type");
    switch (type) {
      case "welcome":
      case "pong":
        return;
      case "subscribed":
        if (!"snapshot".equals(m.getString("mode"))) {
          violations.add("expected a snapshot subscription: " + m);
        }
        snapshotSeq = m.getLong("seq");
        return;
      case "snapshot":
        if ("begin".equals(m.getString("phase"))) {
          inSnapshot = true;
          snapshotSize = m.getInteger("size");
          check(m.getLong("seq") == snapshotSeq, "snapshot begin at the subscribed seq", m);
        } else {
          inSnapshot = false;
          check(snapshotRows == snapshotSize, "snapshot row count equals its size", m);
          lastSeq = snapshotSeq;
          maybeReached();
        }
        return;
      case "change":
        if (inSnapshot) {
          check(Boolean.TRUE.equals(m.getBoolean("snapshot")), "snapshot rows are marked", m);
          check(m.getLong("seq") == snapshotSeq, "snapshot rows carry the snapshot seq", m);
          check("INSERT".equals(m.getString("op")), "snapshot rows are INSERTs", m);
          snapshotRows++;
          rows.put(m.getString("key"), m.getJsonObject("row"));
          return;
        }
        check(lastSeq >= 0, "changes only after the snapshot", m);
        check(m.getLong("seq") == lastSeq + 1, "seq is previous + 1 (was " + lastSeq + ")", m);
        lastSeq = m.getLong("seq");
        if ("DELETE".equals(m.getString("op"))) {
          rows.remove(m.getString("key"));
        } else {
          rows.put(m.getString("key"), m.getJsonObject("row"));
        }
        maybeReached();
        return;
      default:
        violations.add("unexpected message " + m);
    }
  }

  private void check(boolean ok, String what, JsonObject m) {
    if (!ok && violations.size() < 20) {
      violations.add(what + ": " + m);
    }
  }

  private void maybeReached() {
    if (lastSeq >= target) {
      reached.countDown();
    }
  }

  /** Waits until the mirror has applied {@code seq}; false on timeout. */
  public boolean awaitSeq(long seq, long timeoutMs) throws InterruptedException {
    synchronized (this) {
      target = seq;
      maybeReached();
    }
    return reached.await(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** The mirrored rows. */
  public synchronized Map<String, JsonObject> rows() {
    return new HashMap<>(rows);
  }

  public synchronized long snapshotSeq() {
    return snapshotSeq;
  }

  public synchronized long lastSeq() {
    return lastSeq;
  }

  /** Everything that broke the stream's rules; empty for a correct server. */
  public List<String> violations() {
    synchronized (violations) {
      return new ArrayList<>(violations);
    }
  }

  public String topic() {
    return topic;
  }

  @Override
  public void close() {
    if (ws != null && !ws.isClosed()) {
      ws.close();
    }
    client.close();
  }
}
