package io.slipstream.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.net.impl.VertxConnection;
import io.slipstream.core.message.CloseCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
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
  private final Channel channel;
  private boolean closed;
  private boolean unflushed;
  private Runnable drain;

  private WebSocketTransport(ServerWebSocket ws, Channel channel) {
    this.ws = ws;
    this.channel = channel;
  }

  /**
   * The Netty channel under an HTTP connection about to be upgraded, or null when Vert.x does not
   * expose it (then every frame goes through Vert.x and is flushed on its own).
   */
  public static ChannelHandlerContext channelOf(HttpConnection connection) {
    // Vert.x internals: the router wraps the upgraded socket, but not the connection under it.
    return connection instanceof VertxConnection
        ? ((VertxConnection) connection).channelHandlerContext()
        : null;
  }

  /**
   * Wraps an accepted socket and routes its events to {@code listener}.
   *
   * @param vertxHandler the context of Vert.x's handler from {@link #channelOf}, or null
   */
  public static WebSocketTransport attach(
      ServerWebSocket ws, ChannelHandlerContext vertxHandler, TransportListener listener) {
    Channel channel = vertxHandler == null || vertxHandler.isRemoved() ? null : vertxHandler.channel();
    WebSocketTransport t = new WebSocketTransport(ws, channel);
    if (channel != null) {
      // Vert.x only tracks the writability of what it wrote itself, so the transport watches the
      // channel's writability directly, ahead of Vert.x's handler.
      channel.pipeline().addBefore(vertxHandler.name(), "slipstream-drain", t.new DrainWatcher());
    }
    ws.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    ws.textMessageHandler(listener::onText);
    ws.binaryMessageHandler(b -> listener.onBinary(b.length()));
    ws.pongHandler(b -> listener.onHeard());
    ws.exceptionHandler(err -> {});
    ws.closeHandler(
        v -> {
          t.closed = true;
          t.drain = null;
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
  public String remoteAddress() {
    return String.valueOf(ws.remoteAddress());
  }

  @Override
  public boolean writeQueueFull() {
    if (channel != null) {
      return closed || !channel.isWritable();
    }
    // writeQueueFull() throws once the socket is closed (vertx5.md §2).
    return closed || ws.isClosed() || ws.writeQueueFull();
  }

  @Override
  public void write(byte[] message) {
    if (!closed) {
      send(Unpooled.wrappedBuffer(message));
    }
  }

  /**
   * Queues one text frame in the channel without flushing. Vert.x flushes every frame written
   * outside a read, one syscall per message; writing to the channel on the socket's own event
   * loop, and flushing once per pump turn, sends a turn's frames together. Netty counts
   * unflushed frames against the water marks, so {@link #writeQueueFull()} still sees them.
   */
  private void send(ByteBuf payload) {
    if (channel == null) {
      ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, payload, true));
      return;
    }
    // From the channel's tail, so the frame passes every outbound handler, the encoder included.
    channel.write(new TextWebSocketFrame(true, 0, payload), channel.voidPromise());
    unflushed = true;
  }

  @Override
  public void flush() {
    if (unflushed) {
      unflushed = false;
      channel.flush();
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
    send(Unpooled.wrappedBuffer(parts));
  }

  @Override
  public void onDrain(Runnable action) {
    if (closed || ws.isClosed()) {
      return;
    }
    if (channel == null) {
      ws.drainHandler(v -> action.run());
    } else if (channel.isWritable()) {
      action.run();
    } else {
      drain = action;
    }
  }

  /** Runs the drain action when the channel turns writable again (below the low water mark). */
  private final class DrainWatcher extends ChannelInboundHandlerAdapter {
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && drain != null) {
        Runnable r = drain;
        drain = null;
        r.run();
      }
      ctx.fireChannelWritabilityChanged();
    }
  }

  @Override
  public void ping() {
    flush();
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
    flush();
    if (!closed && !ws.isClosed()) {
      ws.close((short) code.code(), code.reason());
    }
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
