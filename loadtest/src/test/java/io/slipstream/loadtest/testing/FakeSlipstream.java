package io.slipstream.loadtest.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A small in-process stand-in for a Slipstream server, enough of docs/protocol.md for the load
 * tool's own tests: hello/welcome with resume tokens (also while the old socket is still open,
 * which it then closes with 1000), subscribe by snapshot or replay ({@code from}), changes posted
 * over HTTP and fanned out, {@code GET …/rows}, {@code /health}, {@code GET /metrics} (sessions,
 * connections, this JVM's heap in use) and {@code GET /api/connections}, the WebSocket and
 * the SockJS websocket transport (and the raw one, with binary frames as vertx-web sends them), and
 * a raw broadcast endpoint ({@code /raw} and {@code POST /raw-post}) for the {@code raw} scenario.
 *
 * <p>It can be told to misbehave ({@link #skip}, {@link #duplicate}, {@link #drop}) so that tests
 * can check that the tool notices. Everything runs on one event loop (one HTTP server), so its
 * state needs no locks; the knobs are concurrent sets written by the test thread.
 */
public final class FakeSlipstream implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, Topic> topics = new HashMap<>();
  /** Suspended sessions: resume token → positions. */
  private final Map<String, Map<String, Long>> sessions = new HashMap<>();

  /** Attached sessions: resume token → the connection that holds it. */
  private final Map<String, Conn> attached = new HashMap<>();

  private final Set<Conn> conns = new LinkedHashSet<>();
  private final List<ServerWebSocket> rawSockets = new ArrayList<>();
  private final Set<Long> skip = ConcurrentHashMap.newKeySet();
  private final Set<Long> duplicate = ConcurrentHashMap.newKeySet();
  private final Set<Long> drop = ConcurrentHashMap.newKeySet();

  private static final class Topic {
    final String name;
    final String epoch = "e-" + UUID.randomUUID().toString().substring(0, 8);
    final Map<String, String> rows = new LinkedHashMap<>();
    final List<String> log = new ArrayList<>();
    final Set<Conn> subscribers = new LinkedHashSet<>();

    Topic(String name) {
      this.name = name;
    }

    long seq() {
      return log.size();
    }
  }

  private final class Conn {
    final ServerWebSocket ws;
    final boolean sockjs;
    final boolean binary;
    final Map<String, Long> positions = new HashMap<>();
    String token;

    Conn(ServerWebSocket ws, boolean sockjs, boolean binary) {
      this.ws = ws;
      this.sockjs = sockjs;
      this.binary = binary;
    }

    void send(String message) {
      if (ws.isClosed()) {
        return;
      }
      if (sockjs) {
        ws.writeTextMessage("a" + new JsonArray().add(message).encode());
      } else if (binary) {
        ws.writeBinaryMessage(Buffer.buffer(message));
      } else {
        ws.writeTextMessage(message);
      }
    }

    void deliver(Topic t, long seq, String frame) {
      positions.put(t.name, seq);
      if (skip.contains(seq)) {
        return;
      }
      if (drop.contains(seq)) {
        send(
            new JsonObject()
                .put("type", "dropped")
                .put("topic", t.name)
                .put("from", seq)
                .put("to", seq)
                .put("count", 1)
                .put("reason", "buffer")
                .encode());
        return;
      }
      send(frame);
      if (duplicate.contains(seq)) {
        send(frame);
      }
    }
  }

  /** Starts on a free port of 127.0.0.1. */
  public FakeSlipstream() throws Exception {
    server = vertx.createHttpServer().requestHandler(this::request).webSocketHandler(this::socket);
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** The HTTP base URL. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The port. */
  public int port() {
    return server.actualPort();
  }

  /** Seqs not sent to anyone (a lost change). */
  public Set<Long> skip() {
    return skip;
  }

  /** Seqs sent twice (a doubled change). */
  public Set<Long> duplicate() {
    return duplicate;
  }

  /** Seqs replaced by a {@code dropped} message (a named drop). */
  public Set<Long> drop() {
    return drop;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ---- HTTP ----

  private void request(HttpServerRequest req) {
    String path = req.path();
    if (path.equals("/health")) {
      req.response().end("ok");
      return;
    }
    if (path.equals("/metrics")) {
      Runtime rt = Runtime.getRuntime();
      req.response()
          .putHeader("Content-Type", "text/plain; version=0.0.4")
          .end(
              "# TYPE slipstream_connections gauge\n"
                  + "slipstream_connections "
                  + conns.size()
                  + ".0\n"
                  + "slipstream_sessions "
                  + (sessions.size() + attached.size())
                  + ".0\n"
                  + "jvm_gc_live_data_size_bytes "
                  + (rt.totalMemory() - rt.freeMemory())
                  + ".0\n");
      return;
    }
    if (path.equals("/api/connections")) {
      JsonArray list = new JsonArray();
      for (Conn c : conns) {
        list.add(new JsonObject().put("id", Integer.toHexString(c.hashCode())));
      }
      req.response().putHeader("Content-Type", "application/json").end(list.encode());
      return;
    }
    if (path.equals("/raw-post")) {
      req.body()
          .onSuccess(
              b -> {
                String text = b.toString();
                for (ServerWebSocket ws : rawSockets) {
                  if (!ws.isClosed()) {
                    ws.writeTextMessage(text);
                  }
                }
                req.response().setStatusCode(204).end();
              });
      return;
    }
    String[] parts = path.split("/");
    // /api/topics/{t}/changes or /rows
    if (parts.length == 5 && parts[1].equals("api") && parts[2].equals("topics")) {
      Topic t = topics.computeIfAbsent(parts[3], Topic::new);
      if (parts[4].equals("changes")) {
        req.body().onSuccess(b -> publish(req, t, b));
        return;
      }
      if (parts[4].equals("rows")) {
        JsonArray rows = new JsonArray();
        t.rows.forEach(
            (k, v) -> rows.add(new JsonObject().put("key", k).put("row", new JsonObject(v))));
        req.response()
            .putHeader("Content-Type", "application/json")
            .end(
                new JsonObject()
                    .put("topic", t.name)
                    .put("epoch", t.epoch)
                    .put("seq", t.seq())
                    .put("rows", rows)
                    .encode());
        return;
      }
    }
    req.response().setStatusCode(404).end();
  }

  private void publish(HttpServerRequest req, Topic t, Buffer body) {
    Object parsed = Json.decodeValue(body);
    List<JsonObject> changes = new ArrayList<>();
    if (parsed instanceof JsonArray) {
      ((JsonArray) parsed).forEach(o -> changes.add((JsonObject) o));
    } else {
      changes.add((JsonObject) parsed);
    }
    long first = t.seq() + 1;
    for (JsonObject c : changes) {
      String op = c.getString("op");
      String key = c.getString("key");
      JsonObject row = c.getJsonObject("row");
      if (op.equals("DELETE")) {
        t.rows.remove(key);
      } else {
        t.rows.put(key, row.encode());
      }
      long seq = t.seq() + 1;
      StringBuilder frame =
          new StringBuilder("{\"type\":\"change\",\"topic\":\"")
              .append(t.name)
              .append("\",\"epoch\":\"")
              .append(t.epoch)
              .append("\",\"seq\":")
              .append(seq)
              .append(",\"op\":\"")
              .append(op)
              .append("\",\"key\":")
              .append(Json.encode(key))
              .append(",\"ts\":")
              .append(System.currentTimeMillis());
      if (row != null) {
        frame.append(",\"row\":").append(row.encode());
      }
      String f = frame.append('}').toString();
      t.log.add(f);
      for (Conn conn : t.subscribers) {
        conn.deliver(t, seq, f);
      }
    }
    req.response()
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("topic", t.name)
                .put("epoch", t.epoch)
                .put("firstSeq", first)
                .put("lastSeq", t.seq())
                .encode());
  }

  // ---- sockets ----

  private void socket(ServerWebSocket ws) {
    String path = ws.path();
    if (path.equals("/raw")) {
      rawSockets.add(ws);
      ws.closeHandler(v -> rawSockets.remove(ws));
      return;
    }
    boolean sockjs = path.startsWith("/sockjs/") && !path.equals("/sockjs/websocket");
    // vertx-web's raw SockJS transport writes binary frames; imitate it.
    Conn conn = new Conn(ws, sockjs, path.equals("/sockjs/websocket"));
    conns.add(conn);
    if (sockjs) {
      ws.writeTextMessage("o");
    }
    ws.textMessageHandler(
        text -> {
          if (sockjs) {
            new JsonArray(text).forEach(m -> message(conn, new JsonObject((String) m)));
          } else {
            message(conn, new JsonObject(text));
          }
        });
    ws.closeHandler(
        v -> {
          conns.remove(conn);
          detach(conn);
          if (conn.token != null) {
            attached.remove(conn.token);
            sessions.put(conn.token, new HashMap<>(conn.positions));
          }
        });
  }

  private void message(Conn conn, JsonObject m) {
    switch (m.getString("type", "")) {
      case "hello":
        {
          String old = m.getString("resume");
          Map<String, Long> saved = old == null ? null : sessions.remove(old);
          Conn previous = old == null ? null : attached.remove(old);
          if (previous != null) {
            // The client came back before its old socket closed: the new one wins (§7).
            saved = new HashMap<>(previous.positions);
            previous.token = null;
            detach(previous);
            previous.ws.close((short) 1000);
          }
          conn.token = UUID.randomUUID().toString();
          attached.put(conn.token, conn);
          conn.send(
              new JsonObject()
                  .put("type", "welcome")
                  .put("session", "s")
                  .put("resume", conn.token)
                  .put("resumed", saved != null)
                  .put("heartbeatMs", 15000)
                  .encode());
          if (saved != null) {
            // The session's topics plus those the client names, its position winning (§7).
            Map<String, Long> restore = new LinkedHashMap<>(saved);
            JsonObject positions = m.getJsonObject("positions", new JsonObject());
            for (String topic : positions.fieldNames()) {
              restore.put(topic, positions.getJsonObject(topic).getLong("seq"));
            }
            for (Map.Entry<String, Long> e : restore.entrySet()) {
              Topic t = topics.get(e.getKey());
              if (t != null) {
                replay(conn, t, e.getValue(), null);
              }
            }
          } else {
            // A fresh session still subscribes every topic hello names, from its position (§3).
            JsonObject positions = m.getJsonObject("positions", new JsonObject());
            for (String topic : positions.fieldNames()) {
              subscribeFrom(conn, topic, positions.getJsonObject(topic), null);
            }
          }
          break;
        }
      case "subscribe":
        subscribeFrom(conn, m.getString("topic"), m.getJsonObject("from"), m.getValue("id"));
        break;
      case "ping":
        conn.send("{\"type\":\"pong\"}");
        break;
      default:
        break;
    }
  }

  /** Replay after {@code from} when it is covered, else a snapshot. */
  private void subscribeFrom(Conn conn, String topic, JsonObject from, Object id) {
    Topic t = topics.computeIfAbsent(topic, Topic::new);
    if (from != null && t.epoch.equals(from.getString("epoch")) && from.getLong("seq") <= t.seq()) {
      replay(conn, t, from.getLong("seq"), id);
    } else {
      snapshot(conn, t, id);
    }
  }

  private void detach(Conn conn) {
    for (Topic t : topics.values()) {
      t.subscribers.remove(conn);
    }
  }

  private void replay(Conn conn, Topic t, long from, Object id) {
    conn.send(
        new JsonObject()
            .put("type", "subscribed")
            .put("topic", t.name)
            .put("epoch", t.epoch)
            .put("seq", from)
            .put("mode", "replay")
            .put("id", id)
            .encode());
    for (long s = from + 1; s <= t.seq(); s++) {
      conn.deliver(t, s, t.log.get((int) s - 1));
    }
    conn.positions.put(t.name, t.seq());
    t.subscribers.add(conn);
  }

  private void snapshot(Conn conn, Topic t, Object id) {
    long seq = t.seq();
    conn.send(
        new JsonObject()
            .put("type", "subscribed")
            .put("topic", t.name)
            .put("epoch", t.epoch)
            .put("seq", seq)
            .put("mode", "snapshot")
            .put("id", id)
            .encode());
    conn.send(
        new JsonObject()
            .put("type", "snapshot")
            .put("topic", t.name)
            .put("epoch", t.epoch)
            .put("seq", seq)
            .put("phase", "begin")
            .put("size", t.rows.size())
            .encode());
    for (Map.Entry<String, String> r : t.rows.entrySet()) {
      conn.send(
          "{\"type\":\"change\",\"topic\":\""
              + t.name
              + "\",\"epoch\":\""
              + t.epoch
              + "\",\"seq\":"
              + seq
              + ",\"op\":\"INSERT\",\"key\":"
              + Json.encode(r.getKey())
              + ",\"ts\":0,\"snapshot\":true,\"row\":"
              + r.getValue()
              + "}");
    }
    conn.send(
        new JsonObject()
            .put("type", "snapshot")
            .put("topic", t.name)
            .put("epoch", t.epoch)
            .put("seq", seq)
            .put("phase", "end")
            .encode());
    conn.positions.put(t.name, seq);
    t.subscribers.add(conn);
  }
}
