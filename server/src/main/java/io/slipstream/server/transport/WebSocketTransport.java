package io.slipstream.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.slipstream.core.message.CloseCode;
import io.slipstream.core.topic.ChangeEvent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.ShutdownEvent;
import io.vertx.core.net.impl.VertxHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A plain WebSocket ({@code GET /ws}) as a {@link Transport}: a Netty handler of its own in the
 * socket's pipeline, on the socket's Vert.x event loop.
 *
 * <p>Confined to the socket's event loop.
 *
 * <p>Vert.x does the upgrade (the handshake, the permessage-deflate negotiation, the 101); {@link
 * #attach} then puts this handler where Vert.x's was. Vert.x's {@code ServerWebSocket}, its
 * connection and the upgrade request under it, with their two per-connection message queues, are
 * garbage from then on: about 9 KiB of heap per connection (docs/benchmarks.md, "Memory: idle
 * connections"). What stays in the pipeline is Netty's frame decoder and encoder (and its deflate
 * decoder where negotiated) and this handler.
 *
 * <p>Writing: frames are written straight into the channel, below the frame encoder (into the
 * channel's own write where nothing outbound sits below it), as complete frames (header and
 * payload) in pooled direct buffers: a live change's frame is encoded once per
 * event loop ({@link WireFrames}) and every socket writes a retained duplicate of it; a control
 * message is encoded into one buffer of its own. No frame object, no promise and no flush per
 * write: {@link #flush()} sends a pump turn's frames with one syscall. The write queue is bounded
 * by {@link #WRITE_QUEUE_BYTES}; beyond it the connection's own bounded buffer takes over.
 *
 * <p>Reading ({@link InboundMessages}): a message in fragments is put together up to the message
 * limit (over it: close 1009); a ping is answered with a pong; a pong is proof of life. Closing
 * follows RFC 6455 §7: a close frame from the client is echoed and the TCP connection closed; a
 * close from the server waits {@link #CLOSING_TIMEOUT_MS} for the client's echo. Vert.x closing the
 * server sends 1012 first, so clients reconnect at once.
 *
 * <p>Compression: when the client negotiated permessage-deflate, frames are compressed only while
 * the connection's QoS class wants it ({@link #compress}); RFC 7692 lets a sender leave any message
 * plain (RSV1 clear), so a change of class needs no new handshake. Each flush reports the bytes of
 * the frames it sends ({@link WireFrames#wrote}): the wire cost of a delivery, after compression.
 */
public final class WebSocketTransport extends ChannelDuplexHandler implements Transport {

  /**
   * Bytes the socket may hold in Netty's outbound queue before {@link #writeQueueFull()} turns true
   * (Netty's high water mark; low water is half of it).
   */
  public static final int WRITE_QUEUE_BYTES = 64 * 1024;

  /** How long a close from the server waits for the client's close frame before cutting TCP. */
  static final long CLOSING_TIMEOUT_MS = 5_000;

  /** The pipeline name of the handler. */
  static final String NAME = "slipstream-ws";

  private final Channel channel;
  private final WireFrames shared;
  private final TransportListener listener;
  private final InboundMessages inbound;

  /** What Vert.x's metrics counted for the socket, given back at the close; null if nothing. */
  private final VertxMeters meters;

  /** Completes nothing and fires nothing: a failed write (socket gone) only frees its buffer. */
  private final ChannelPromise noPromise;

  /** This handler's context: a write there passes the frame encoder. */
  private ChannelHandlerContext ctx;

  /** The frame encoder's context: a write there goes below the encoder, toward the socket. */
  private ChannelHandlerContext below;

  /**
   * The channel's own write and flush, where no outbound handler sits below the frame encoder
   * (no TLS, no idle handler): what a write there would reach at the pipeline's head anyway,
   * without walking the handler contexts on the way, each a cache line per socket per delivery.
   * Null otherwise: frames are written at {@link #below}.
   */
  private Channel.Unsafe direct;

  /** Whether the client negotiated permessage-deflate and this loop compresses. */
  private boolean negotiated;

  /** Whether frames are compressed now: negotiated and the connection's class wants it. */
  private boolean deflate;

  /** The channel is closed: {@link TransportListener#onClosed} was called. */
  private boolean closed;

  /** A close frame went out: nothing else may follow it. */
  private boolean closeSent;

  /** The client's close frame came: its code and reason are what the close reports. */
  private boolean closeReceived;

  private int closeCode = 1006;
  private String closeReason;
  private ScheduledFuture<?> closingTimeout;

  private boolean unflushed;

  /** Bytes of the frames written since the last flush. */
  private long unreported;

  private Runnable drain;

  private WebSocketTransport(
      Channel channel,
      WireFrames shared,
      TransportListener listener,
      int maxMessageBytes,
      VertxMeters meters) {
    this.channel = channel;
    this.shared = shared;
    this.listener = listener;
    this.inbound = new InboundMessages(maxMessageBytes);
    this.meters = meters;
    this.noPromise = new VoidChannelPromise(channel, false);
  }

  /**
   * The Netty context of Vert.x's handler of an HTTP connection about to be upgraded, or null when
   * Vert.x does not expose it.
   */
  public static ChannelHandlerContext channelOf(HttpConnection connection) {
    // Vert.x internals: the router wraps the upgraded socket, but not the connection under it.
    return connection instanceof VertxConnection
        ? ((VertxConnection) connection).channelHandlerContext()
        : null;
  }

  /**
   * Takes the socket Vert.x just upgraded over from Vert.x and routes its events to {@code
   * listener}.
   *
   * @param ws the socket, as the upgrade returned it; not used afterwards
   * @param beforeUpgrade the context from {@link #channelOf}, taken before the upgrade; the upgrade
   *     replaces that handler, but the channel under it stays
   * @param shared the live-change frames of the socket's event loop
   * @param maxMessageBytes the longest message put together from fragments, and the most one
   *     compressed message may inflate to; over it, close 1009
   * @param offeredExtensions the request's {@code Sec-WebSocket-Extensions}, or null
   * @throws IllegalStateException when the socket closed meanwhile, or the pipeline is not Vert.x's
   *     upgraded WebSocket (a Vert.x other than the 5.0 this was written against)
   */
  public static WebSocketTransport attach(
      ServerWebSocket ws,
      ChannelHandlerContext beforeUpgrade,
      WireFrames shared,
      TransportListener listener,
      int maxMessageBytes,
      String offeredExtensions) {
    if (beforeUpgrade == null) {
      throw new IllegalStateException("Vert.x does not expose the socket's channel");
    }
    Channel channel = beforeUpgrade.channel();
    if (!channel.eventLoop().inEventLoop()) {
      throw new IllegalStateException("not on the socket's event loop");
    }
    if (!channel.isActive() || ws.isClosed()) {
      throw new IllegalStateException("the socket closed before it was taken over");
    }
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandlerContext vertx = pipeline.context(VertxHandler.class);
    if (vertx == null || pipeline.context(WebSocketFrameEncoder.class) == null) {
      throw new IllegalStateException("not an upgraded Vert.x WebSocket: " + pipeline.names());
    }
    VertxMeters meters = VertxMeters.of(((VertxHandler<?>) vertx.handler()).getConnection());
    WebSocketTransport t =
        new WebSocketTransport(channel, shared, listener, maxMessageBytes, meters);
    channel
        .config()
        .setWriteBufferWaterMark(
            new WriteBufferWaterMark(WRITE_QUEUE_BYTES / 2, WRITE_QUEUE_BYTES));
    InflateBound.apply(pipeline, offeredExtensions, maxMessageBytes);
    pipeline.replace(vertx.name(), NAME, t);
    return t;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.below = ctx.pipeline().context(WebSocketFrameEncoder.class);
    this.direct = nothingOutboundBelow(ctx.pipeline(), below) ? channel.unsafe() : null;
    // The handshake put Netty's permessage-deflate encoder in the pipeline: the client offered the
    // extension and the node accepted it.
    this.negotiated =
        shared.compresses()
            && InflateBound.handlerNamed(ctx.pipeline(), "PerMessageDeflateEncoder") != null;
  }

  /**
   * Whether every handler between the pipeline's head and {@code encoder} handles inbound events
   * only: then a write at {@code encoder}'s context goes straight to the head's channel write.
   */
  static boolean nothingOutboundBelow(ChannelPipeline pipeline, ChannelHandlerContext encoder) {
    // The pipeline iterates from the head towards the tail.
    for (Map.Entry<String, ChannelHandler> h : pipeline) {
      if (h.getValue() == encoder.handler()) {
        return true;
      }
      if (h.getValue() instanceof ChannelOutboundHandler) {
        return false;
      }
    }
    return false;
  }

  /** Whether frames go straight to the channel's own write (see {@link #direct}); for tests. */
  boolean writesDirect() {
    return direct != null;
  }

  /** The names of the socket's pipeline, for tests; on the socket's event loop. */
  List<String> pipelineNames() {
    return ctx.pipeline().names();
  }

  /** Whether this socket's frames are compressed now (negotiated and the class wants it). */
  boolean compressed() {
    return deflate;
  }

  @Override
  public void compress(boolean on) {
    deflate = negotiated && on;
  }

  @Override
  public String kind() {
    return "websocket";
  }

  @Override
  public String remoteAddress() {
    return channel.remoteAddress() instanceof InetSocketAddress a
        ? a.getAddress().getHostAddress() + ":" + a.getPort()
        : String.valueOf(channel.remoteAddress());
  }

  // ---------------------------------------------------------------- writing

  @Override
  public boolean writeQueueFull() {
    return closed || closeSent || !channel.isWritable();
  }

  @Override
  public void writeChange(ChangeEvent event) {
    if (!closed && !closeSent) {
      send(deflate ? shared.deflatedFrame(event) : shared.frame(event));
    }
  }

  @Override
  public void write(byte[] message) {
    if (!closed && !closeSent) {
      send(
          deflate
              ? shared.deflatedMessage(below.alloc(), message)
              : WireFrames.encode(below.alloc(), message));
    }
  }

  @Override
  public void writeBatch(List<byte[]> messages) {
    if (closed || closeSent) {
      return;
    }
    // One frame holding a JSON array: [m1,m2,...]. Copied once into the frame's buffer.
    int length = messages.size() + 1;
    for (int i = 0; i < messages.size(); i++) {
      length += messages.get(i).length;
    }
    ByteBuf frame = WireFrames.header(below.alloc(), length);
    for (int i = 0; i < messages.size(); i++) {
      frame.writeByte(i == 0 ? '[' : ',');
      frame.writeBytes(messages.get(i));
    }
    frame.writeByte(']');
    send(frame);
  }

  /** Queues a complete frame below the encoder, counting its bytes for the next flush. */
  private void send(ByteBuf frame) {
    unreported += frame.readableBytes();
    if (direct != null) {
      direct.write(frame, noPromise);
    } else {
      below.write(frame, noPromise);
    }
    unflushed = true;
  }

  @Override
  public void flush() {
    if (unflushed) {
      unflushed = false;
      if (direct != null) {
        direct.flush();
      } else {
        below.flush();
      }
      shared.wrote(unreported);
      unreported = 0;
    }
  }

  @Override
  public void onDrain(Runnable action) {
    if (closed || closeSent) {
      return;
    }
    if (channel.isWritable()) {
      action.run();
    } else {
      drain = action;
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (channel.isWritable() && drain != null) {
      Runnable r = drain;
      drain = null;
      r.run();
    }
  }

  @Override
  public void ping() {
    if (!closed && !closeSent) {
      flush();
      ctx.writeAndFlush(new PingWebSocketFrame(), noPromise);
    }
  }

  @Override
  public void pauseReading() {
    channel.config().setAutoRead(false);
  }

  @Override
  public void resumeReading() {
    channel.config().setAutoRead(true);
  }

  // ---------------------------------------------------------------- closing

  @Override
  public void close(CloseCode code) {
    if (closed || closeSent) {
      return;
    }
    flush();
    closeSent = true;
    ChannelPromise sent = ctx.newPromise();
    ctx.writeAndFlush(new CloseWebSocketFrame(code.code(), code.reason()), sent);
    if (closeReceived) {
      sent.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    closingTimeout =
        ctx.executor().schedule(() -> ctx.close(), CLOSING_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  /** The client's close frame: echoed (unless the server's went first), then TCP is closed. */
  private void closeFrame(CloseWebSocketFrame frame) {
    closeReceived = true;
    ByteBuf content = frame.content();
    // No status in the frame counts as a normal close, as Vert.x reported it.
    closeCode = content.readableBytes() < 2 ? 1000 : frame.statusCode();
    closeReason = content.readableBytes() > 2 ? frame.reasonText() : null;
    if (closeSent) {
      ctx.close();
      return;
    }
    flush();
    closeSent = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(closeCode, closeReason))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closed) {
      return;
    }
    closed = true;
    drain = null;
    inbound.discard();
    if (closingTimeout != null) {
      closingTimeout.cancel(false);
    }
    if (meters != null) {
      meters.disconnected();
    }
    listener.onClosed(closeCode, closeReason);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecompressionException && !closeSent) {
      // A compressed message inflating past the message limit (InflateBound).
      close(CloseCode.MESSAGE_TOO_BIG);
      return;
    }
    // A reset, or a frame Netty's decoder refused (it has sent its close frame already): the
    // socket is done; channelInactive reports the close.
    closeSent = true;
    ctx.close();
  }

  /**
   * Vert.x's notice that the server closes (its channels are closed right after): the client gets
   * 1012, reconnects at once and resumes elsewhere, as at a drain.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ShutdownEvent) {
      close(CloseCode.RESTARTING);
    }
    ReferenceCountUtil.release(event);
  }

  // ---------------------------------------------------------------- reading

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    WebSocketFrame frame = (WebSocketFrame) msg;
    try {
      read(frame);
    } finally {
      frame.release();
    }
  }

  private void read(WebSocketFrame frame) {
    if (closed || closeReceived) {
      return;
    }
    if (frame instanceof PingWebSocketFrame) {
      if (!closeSent) {
        flush();
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), noPromise);
      }
      return;
    }
    if (frame instanceof PongWebSocketFrame) {
      listener.onHeard();
      return;
    }
    if (frame instanceof CloseWebSocketFrame) {
      closeFrame((CloseWebSocketFrame) frame);
      return;
    }
    if (closeSent) {
      // After the server's close frame, what the client still sends is not processed.
      return;
    }
    switch (inbound.add(frame)) {
      case TEXT:
        listener.onText(inbound.text());
        break;
      case BINARY:
        listener.onBinary(inbound.binaryLength());
        break;
      case TOO_BIG:
        close(CloseCode.MESSAGE_TOO_BIG);
        break;
      default:
        break;
    }
  }
}
