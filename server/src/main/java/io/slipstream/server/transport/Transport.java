package io.slipstream.server.transport;

import io.slipstream.core.message.CloseCode;
import io.slipstream.core.topic.ChangeEvent;

/**
 * One client socket as a connection sees it: frames out under backpressure, close with a code.
 *
 * <p>Confined to the socket's event loop.
 */
public interface Transport {

  /** {@code websocket} or {@code sockjs}, as {@code /api/connections} reports it. */
  String kind();

  /** The peer's address ({@code host:port}), for logs; null when unknown. */
  default String remoteAddress() {
    return null;
  }

  /**
   * Whether the socket's own write queue is full: the connection then stops writing until {@link
   * #onDrain} fires. True once the socket is closed.
   */
  boolean writeQueueFull();

  /**
   * Writes one message (UTF-8 JSON) as one text frame. The array is shared: never modified. The
   * frame may wait in the socket's queue until {@link #flush()}.
   */
  void write(byte[] message);

  /**
   * Writes a live change's {@code change} message as one text frame, like {@link #write} of its
   * {@link ChangeEvent#frame()}; a transport may share what it encodes of one change between the
   * sockets of an event loop.
   */
  default void writeChange(ChangeEvent event) {
    write(event.frame());
  }

  /**
   * Whether the frames written from now on are compressed (the connection's QoS class says so):
   * only where the client negotiated permessage-deflate, and only for messages worth it. A
   * transport without compression ignores it.
   */
  default void compress(boolean on) {}

  /** Sends what {@link #write} and {@link #writeBatch} queued: one syscall for many frames. */
  void flush();

  /**
   * Writes several messages as one text frame holding a JSON array of them, for clients that said
   * {@code batch: true}. The arrays are shared: never modified.
   */
  void writeBatch(java.util.List<byte[]> messages);

  /** Runs {@code action} once, when the write queue has room again. */
  void onDrain(Runnable action);

  /** Sends a heartbeat: a WebSocket ping frame, or a protocol {@code ping} message. */
  void ping();

  /** Stops reading from the client (TCP backpressure on the client). */
  void pauseReading();

  /** Resumes reading from the client. */
  void resumeReading();

  /** Closes with {@code code}; idempotent. */
  void close(CloseCode code);
}
