package io.slipstream.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.slipstream.core.message.CloseCode;
import io.slipstream.core.topic.ChangeEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.net.impl.VertxConnection;
import java.util.List;

/**
 * A plain WebSocket ({@code GET /ws}) as a {@link Transport}.
 *
 * <p>Confined to the socket's event loop.
 *
 * <p>Frames are written straight into the Netty channel, below its WebSocket encoder, as complete
 * frames (header and payload) in pooled direct buffers: a live change's frame is encoded once per
 * event loop ({@link WireFrames}) and every socket writes a retained duplicate of it; a control
 * message is encoded into one buffer of its own. No frame object, no promise and no flush per
 * write: {@link #flush()} sends a pump turn's frames with one syscall. Reading, pings and the close
 * handshake stay with Vert.x's {@link ServerWebSocket}. The write queue is bounded by {@link
 * #WRITE_QUEUE_BYTES}; beyond it the connection's own bounded buffer takes over.
 *
 * <p>Compression: when the client negotiated permessage-deflate, frames are compressed only while
 * the connection's QoS class wants it ({@link #compress}); RFC 7692 lets a sender leave any message
 * plain (RSV1 clear), so a change of class needs no new handshake. Each flush reports the bytes of
 * the frames it sends ({@link WireFrames#wrote}): the wire cost of a delivery, after compression.
 *
 * <p>When the channel cannot be reached (a Vert.x that no longer exposes it), every frame goes
 * through {@link ServerWebSocket#writeFrame} instead: correct, one flush per frame.
 */
public final class WebSocketTransport implements Transport {

  /**
   * Bytes the socket may hold in Netty's outbound queue before {@link #writeQueueFull()} turns true
   * (Netty's high water mark; low water is half of it).
   */
  public static final int WRITE_QUEUE_BYTES = 64 * 1024;

  private static final Buffer PING = Buffer.buffer(new byte[0]);

  private final ServerWebSocket ws;
  private final WireFrames shared;

  /** The channel, or null on the fallback through Vert.x. */
  private final Channel channel;

  /** The WebSocket encoder's context: a write there goes below the encoder, toward the socket. */
  private final ChannelHandlerContext below;

  /** Completes nothing and fires nothing: a failed write (socket gone) only frees its buffer. */
  private final ChannelPromise noPromise;

  /** Whether the client negotiated permessage-deflate and this loop compresses. */
  private final boolean negotiated;

  /** Whether frames are compressed now: negotiated and the connection's class wants it. */
  private boolean deflate;

  private boolean closed;
  private boolean unflushed;

  /** Bytes of the frames written since the last flush. */
  private long unreported;
  private Runnable drain;

  private WebSocketTransport(
      ServerWebSocket ws, WireFrames shared, Channel channel, ChannelHandlerContext below) {
    this.ws = ws;
    this.shared = shared;
    this.channel = below == null ? null : channel;
    this.below = below;
    this.noPromise = below == null ? null : new VoidChannelPromise(channel, false);
    this.negotiated = below != null && shared.compresses() && deflateNegotiated(channel);
  }

  /**
   * Whether the handshake put Netty's permessage-deflate encoder in the pipeline, i.e. the client
   * offered the extension and the node accepted it. Its class is package-private: known by name.
   */
  private static boolean deflateNegotiated(Channel channel) {
    for (java.util.Map.Entry<String, io.netty.channel.ChannelHandler> e : channel.pipeline()) {
      if (e.getValue().getClass().getSimpleName().equals("PerMessageDeflateEncoder")) {
        return true;
      }
    }
    return false;
  }

  /** Whether this socket's frames are compressed now (negotiated and the class wants it). */
  boolean compressed() {
    return deflate;
  }

  @Override
  public void compress(boolean on) {
    deflate = negotiated && on;
  }

  /**
   * The Netty context of Vert.x's handler of an HTTP connection about to be upgraded, or null when
   * Vert.x does not expose it (then every frame goes through Vert.x and is flushed on its own).
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
   * @param beforeUpgrade the context from {@link #channelOf}, taken before the upgrade, or null;
   *     the upgrade replaces that handler, but the channel under it stays
   * @param shared the live-change frames of the socket's event loop
   */
  public static WebSocketTransport attach(
      ServerWebSocket ws,
      ChannelHandlerContext beforeUpgrade,
      WireFrames shared,
      TransportListener listener) {
    Channel channel = beforeUpgrade == null ? null : beforeUpgrade.channel();
    ChannelHandlerContext below =
        channel == null || !channel.eventLoop().inEventLoop()
            ? null
            : channel.pipeline().context(WebSocketFrameEncoder.class);
    WebSocketTransport t = new WebSocketTransport(ws, shared, channel, below);
    if (t.channel != null) {
      // Vert.x tracks the writability of what it wrote itself only, so the transport watches the
      // channel's: first in the pipeline, where every writability change passes.
      channel.pipeline().addFirst("slipstream-drain", t.new DrainWatcher());
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

  /** Whether frames go straight into the channel (true but for the fallback through Vert.x). */
  boolean writesDirect() {
    return below != null;
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
  public void writeChange(ChangeEvent event) {
    if (closed) {
      return;
    }
    if (below == null) {
      write(event.frame());
      return;
    }
    send(deflate ? shared.deflatedFrame(event) : shared.frame(event));
  }

  /** Queues a complete frame below the encoder, counting its bytes for the next flush. */
  private void send(ByteBuf frame) {
    unreported += frame.readableBytes();
    below.write(frame, noPromise);
    unflushed = true;
  }

  @Override
  public void write(byte[] message) {
    if (closed) {
      return;
    }
    if (below == null) {
      ws.writeFrame(
          new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(message), true));
      return;
    }
    send(
        deflate
            ? shared.deflatedMessage(below.alloc(), message)
            : WireFrames.encode(below.alloc(), message));
  }

  @Override
  public void flush() {
    if (unflushed) {
      unflushed = false;
      below.flush();
      shared.wrote(unreported);
      unreported = 0;
    }
  }

  @Override
  public void writeBatch(List<byte[]> messages) {
    if (closed) {
      return;
    }
    // One frame holding a JSON array: [m1,m2,...]. Copied once into the frame's buffer.
    int length = messages.size() + 1;
    for (int i = 0; i < messages.size(); i++) {
      length += messages.get(i).length;
    }
    ByteBuf frame =
        below == null ? Unpooled.buffer(length, length) : WireFrames.header(below.alloc(), length);
    for (int i = 0; i < messages.size(); i++) {
      frame.writeByte(i == 0 ? '[' : ',');
      frame.writeBytes(messages.get(i));
    }
    frame.writeByte(']');
    if (below == null) {
      ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame, true));
      return;
    }
    send(frame);
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
