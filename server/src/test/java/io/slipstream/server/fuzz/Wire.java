package io.slipstream.server.fuzz;

import io.slipstream.server.testing.RawSockJs;
import io.slipstream.server.testing.RawWebSocket;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.util.List;

/**
 * One fuzz connection's socket, over {@code /ws} or over SockJS's framed WebSocket transport,
 * seen the same way: messages out, transport messages or a close code in.
 *
 * <p>Not thread-safe: one worker thread drives it.
 */
interface Wire extends AutoCloseable {

  /** What arrived: a transport message's text, or a close with its code (1006: none). */
  record In(String text, int closeCode) {
    boolean isClose() {
      return text == null;
    }
  }

  /** {@code websocket} or {@code sockjs}. */
  String kind();

  /** Sends the frames; a burst the server reads together. */
  void send(List<Frame> frames) throws IOException;

  /** The next transport message or the close; a close without a close frame is 1006. */
  In read() throws IOException;

  /** Closes the client way, returning the messages that came before the server's close. */
  List<String> closeGracefully();

  /** Cuts the connection (TCP reset). */
  @Override
  void close();

  /** Opens {@code /ws}. */
  static Wire webSocket(int port, int readTimeoutMs) throws IOException {
    RawWebSocket ws = RawWebSocket.connect(port, "/ws");
    ws.readTimeout(readTimeoutMs);
    return new Wire() {
      @Override
      public String kind() {
        return "websocket";
      }

      @Override
      public void send(List<Frame> frames) throws IOException {
        List<String> burst = new java.util.ArrayList<>();
        for (Frame f : frames) {
          if (!f.isBinary() && f.fragments() == 1) {
            burst.add(f.text());
            continue;
          }
          ws.sendAll(burst);
          burst.clear();
          if (f.isBinary()) {
            ws.sendBinary(f.binary());
          } else {
            ws.sendFragmented(f.text(), f.fragments());
          }
        }
        ws.sendAll(burst);
      }

      @Override
      public In read() throws IOException {
        try {
          RawWebSocket.Frame f = ws.read();
          return f.isClose() ? new In(null, f.closeCode()) : new In(f.text(), 0);
        } catch (EOFException | SocketException e) {
          return new In(null, 1006);
        }
      }

      @Override
      public List<String> closeGracefully() {
        return ws.closeGracefully(1000, readTimeoutMs);
      }

      @Override
      public void close() {
        ws.abort();
      }
    };
  }

  /** Opens a SockJS session over its framed WebSocket transport. */
  static Wire sockJs(int port, int readTimeoutMs) throws IOException {
    RawSockJs s = RawSockJs.connect(port);
    s.webSocket().readTimeout(readTimeoutMs);
    return new Wire() {
      @Override
      public String kind() {
        return "sockjs";
      }

      @Override
      public void send(List<Frame> frames) throws IOException {
        List<String> messages = new java.util.ArrayList<>(frames.size());
        for (Frame f : frames) {
          if (f.isBinary() || f.fragments() != 1) {
            throw new IllegalArgumentException("SockJS carries whole text messages only: " + f.kind());
          }
          messages.add(f.text());
        }
        s.send(messages);
      }

      @Override
      public In read() throws IOException {
        try {
          RawWebSocket.Frame f = s.read();
          return f.isClose() ? new In(null, f.closeCode()) : new In(f.text(), 0);
        } catch (EOFException | SocketException e) {
          return new In(null, 1006);
        }
      }

      @Override
      public List<String> closeGracefully() {
        return s.closeGracefully(readTimeoutMs);
      }

      @Override
      public void close() {
        s.close();
      }
    };
  }
}
