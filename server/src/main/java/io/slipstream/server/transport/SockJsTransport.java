package io.slipstream.server.transport;

import io.slipstream.core.message.CloseCode;
import io.slipstream.server.protocol.Outbound;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.nio.charset.StandardCharsets;

/**
 * A SockJS socket ({@code /sockjs}) as a {@link Transport}: the same protocol messages, one per
 * SockJS message, with protocol-level {@code ping}/{@code pong} heartbeats.
 *
 * <p>Close codes travel in a final {@code close} message (see {@link #close}).
 *
 * <p>Confined to the socket's event loop. SockJS's own {@code writeQueueFull()} never reports a
 * stuck socket (vertx5.md §3), so this transport bounds the bytes whose write has not completed
 * yet ({@link #IN_FLIGHT_BYTES}) and reports full above it; the drain action runs when the bytes
 * in flight fall to half of it. Beyond that, the connection's own bounded buffer takes over.
 */
public final class SockJsTransport implements Transport {

  /** Bytes written but not yet completed before the socket counts as full. */
  public static final int IN_FLIGHT_BYTES = 64 * 1024;

  private final SockJSSocket socket;
  private long inFlight;
  private Runnable drain;
  private boolean closed;

  private SockJsTransport(SockJSSocket socket) {
    this.socket = socket;
  }

  /** Wraps an open SockJS socket and routes its events to {@code listener}. */
  public static SockJsTransport attach(SockJSSocket socket, TransportListener listener) {
    SockJsTransport t = new SockJsTransport(socket);
    socket.handler(b -> listener.onText(b.toString(StandardCharsets.UTF_8)));
    socket.exceptionHandler(err -> {});
    socket.closeHandler(
        v -> {
          t.closed = true;
          t.drain = null;
          listener.onClosed(1000, "sockjs closed");
        });
    return t;
  }

  @Override
  public String kind() {
    return "sockjs";
  }

  @Override
  public String remoteAddress() {
    return String.valueOf(socket.remoteAddress());
  }

  @Override
  public boolean writeQueueFull() {
    return closed || inFlight >= IN_FLIGHT_BYTES;
  }

  @Override
  public void write(byte[] message) {
    if (closed) {
      return;
    }
    int size = message.length;
    inFlight += size;
    // As a String: SockJS's raw websocket transport sends Buffers as binary frames, Strings as text.
    socket
        .write(new String(message, StandardCharsets.UTF_8))
        .onComplete(
            ar -> {
              inFlight -= size;
              if (drain != null && inFlight <= IN_FLIGHT_BYTES / 2) {
                Runnable r = drain;
                drain = null;
                r.run();
              }
            });
  }

  @Override
  public void writeBatch(java.util.List<byte[]> messages) {
    int size = 1 + messages.size();
    for (byte[] m : messages) {
      size += m.length;
    }
    byte[] joined = new byte[size];
    joined[0] = '[';
    int at = 1;
    for (int i = 0; i < messages.size(); i++) {
      byte[] m = messages.get(i);
      System.arraycopy(m, 0, joined, at, m.length);
      at += m.length;
      joined[at++] = (byte) (i == messages.size() - 1 ? ']' : ',');
    }
    write(joined);
  }

  @Override
  public void flush() {
    // SockJS flushes each message itself.
  }

  @Override
  public void onDrain(Runnable action) {
    if (closed) {
      return;
    }
    if (inFlight <= IN_FLIGHT_BYTES / 2) {
      action.run();
    } else {
      drain = action;
    }
  }

  @Override
  public void ping() {
    write(Outbound.ping());
  }

  @Override
  public void pauseReading() {
    socket.pause();
  }

  @Override
  public void resumeReading() {
    socket.resume();
  }

  @Override
  public void close(CloseCode code) {
    if (!closed) {
      // Vert.x's SockJS sessions close with 3000 whatever code is asked for, so the code travels
      // in a last protocol message; it goes out past the in-flight bound (one small message).
      write(Outbound.close(code));
      closed = true;
      socket.close(code.code(), code.reason());
    }
  }
}
