package io.slipstream.server.testing;

import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal SockJS client over SockJS's framed WebSocket transport ({@code
 * /sockjs/<server>/<session>/websocket}) on a {@link RawWebSocket}: sends {@code ["…"]} frames,
 * reads {@code o}, {@code h}, {@code a[…]} and {@code c[code,"reason"]} frames.
 *
 * <p>Not thread-safe: one thread reads and writes, like {@link RawWebSocket}.
 */
public final class RawSockJs implements AutoCloseable {

  private static final AtomicLong SESSIONS = new AtomicLong();

  private final RawWebSocket ws;
  /** Messages of the last {@code a} frame not yet returned; at most one frame's worth. */
  private final ArrayDeque<String> pending = new ArrayDeque<>();

  private RawSockJs(RawWebSocket ws) {
    this.ws = ws;
  }

  /** Opens a new SockJS session on {@code port} and reads its {@code o} frame. */
  public static RawSockJs connect(int port) throws IOException {
    String session = "raw" + SESSIONS.incrementAndGet() + "x" + System.nanoTime();
    RawWebSocket ws = RawWebSocket.connect(port, "/sockjs/000/" + session + "/websocket");
    RawWebSocket.Frame open = ws.read();
    if (open.isClose() || !"o".equals(open.text())) {
      ws.abort();
      throw new IOException("SockJS did not open: " + open);
    }
    return new RawSockJs(ws);
  }

  /** The socket underneath, e.g. to set its read timeout. */
  public RawWebSocket webSocket() {
    return ws;
  }

  /** Sends {@code messages} in one SockJS frame (one WebSocket text frame). */
  public void send(List<String> messages) throws IOException {
    ws.send(new JsonArray(List.copyOf(messages)).encode());
  }

  /**
   * The next SockJS message as a text frame, or a close: the {@code c} frame's code (Vert.x
   * always sends 3000), the WebSocket close frame's code, or {@link java.io.EOFException} when
   * the connection ends without either. Heartbeat frames are skipped.
   */
  public RawWebSocket.Frame read() throws IOException {
    while (pending.isEmpty()) {
      RawWebSocket.Frame f = ws.read();
      if (f.isClose()) {
        return f;
      }
      String t = f.text();
      if (t.equals("h") || t.equals("o")) {
        continue;
      }
      if (t.startsWith("c")) {
        JsonArray c = new JsonArray(t.substring(1));
        return new RawWebSocket.Frame(null, c.getInteger(0));
      }
      if (!t.startsWith("a")) {
        throw new IOException("not a SockJS frame: " + t);
      }
      for (Object m : new JsonArray(t.substring(1))) {
        pending.add((String) m);
      }
    }
    return new RawWebSocket.Frame(pending.poll(), 0);
  }

  /**
   * Closes the WebSocket under the session gracefully (see {@link RawWebSocket#closeGracefully})
   * and returns the SockJS messages that came before the server's close.
   */
  public List<String> closeGracefully(int timeoutMs) {
    List<String> late = new java.util.ArrayList<>(pending);
    pending.clear();
    for (String t : ws.closeGracefully(1000, timeoutMs)) {
      if (t.startsWith("a")) {
        for (Object m : new JsonArray(t.substring(1))) {
          late.add((String) m);
        }
      }
    }
    return late;
  }

  @Override
  public void close() {
    ws.abort();
  }
}
