package io.slipstream.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slipstream.core.message.CloseCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import java.util.List;

/**
 * A plain WebSocket ({@code GET /ws}) as a {@link Transport}.
 *
 * <p>Confined to the socket's event loop. Writes go out as text frames over the shared bytes of
 * each message ({@code Unpooled.wrappedBuffer}: a view, not a copy), so a change serialized once
 * is never copied or re-encoded per connection. The write queue is bounded by {@link
 * #WRITE_QUEUE_BYTES}; beyond it the connection's own bounded buffer takes over.
 */
public final class WebSocketTransport implements Transport {

  /**
   * Bytes the socket may hold in Netty's outbound queue before {@link #writeQueueFull()} turns
   * true (Netty's high water mark; low water is half of it).
   */
  public static final int WRITE_QUEUE_BYTES = 64 * 1024;

  private static final Buffer PING = Buffer.buffer(new byte[0]);
  private static final ByteBuf OPEN = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'['}));
  private static final ByteBuf COMMA = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {','}));
  private static final ByteBuf CLOSE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {']'}));

  private final ServerWebSocket ws;
  private boolean closed;

  private WebSocketTransport(ServerWebSocket ws) {
    this.ws = ws;
  }

  /** Wraps an accepted socket and routes its events to {@code listener}. */
  public static WebSocketTransport attach(ServerWebSocket ws, TransportListener listener) {
    WebSocketTransport t = new WebSocketTransport(ws);
    ws.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    ws.textMessageHandler(listener::onText);
    ws.binaryMessageHandler(b -> listener.onBinary(b.length()));
    ws.pongHandler(b -> listener.onHeard());
    ws.exceptionHandler(err -> {});
    ws.closeHandler(
        v -> {
          t.closed = true;
          Short code = closeCode(ws);
          listener.onClosed(code == null ? 1006 : code, ws.closeReason());
        });
    return t;
  }

  @Override
  public String kind() {
    return "websocket";
  }

  @Override
  public boolean writeQueueFull() {
    // writeQueueFull() throws once the socket is closed (vertx5.md §2).
    return closed || ws.isClosed() || ws.writeQueueFull();
  }

  @Override
  public void write(byte[] message) {
    if (!closed) {
      ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(message), true));
    }
  }

  @Override
  public void writeBatch(List<byte[]> messages) {
    if (closed) {
      return;
    }
    // A composite view over the shared message bytes and three constant separators: no copy.
    ByteBuf[] parts = new ByteBuf[messages.size() * 2 + 1];
    parts[0] = OPEN.duplicate();
    for (int i = 0; i < messages.size(); i++) {
      parts[2 * i + 1] = Unpooled.wrappedBuffer(messages.get(i));
      parts[2 * i + 2] = (i == messages.size() - 1 ? CLOSE : COMMA).duplicate();
    }
    ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(parts), true));
  }

  @Override
  public void onDrain(Runnable action) {
    if (!closed && !ws.isClosed()) {
      ws.drainHandler(v -> action.run());
    }
  }

  @Override
  public void ping() {
    if (!closed && !ws.isClosed()) {
      ws.writePing(PING);
    }
  }

  @Override
  public void pauseReading() {
    ws.pause();
  }

  @Override
  public void resumeReading() {
    ws.resume();
  }

  @Override
  public void close(CloseCode code) {
    if (!closed && !ws.isClosed()) {
      ws.close((short) code.code(), code.reason());
    }
  }

  @Override
  public boolean isClosed() {
    return closed || ws.isClosed();
  }

  @Override
  public String remoteAddress() {
    return String.valueOf(ws.remoteAddress());
  }

  private static Short closeCode(ServerWebSocket ws) {
    // closeStatusCode() throws an NPE on a socket closed without a status (vertx5.md §10.1).
    try {
      return ws.closeStatusCode();
    } catch (NullPointerException e) {
      return null;
    }
  }
}
