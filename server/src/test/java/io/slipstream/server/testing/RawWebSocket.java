package io.slipstream.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal blocking RFC 6455 client over a plain socket, for tests that need what a library
 * hides: an abrupt TCP reset with no close frame, or exact control of reads.
 *
 * <p>Not thread-safe: one reader thread, writes from the same thread.
 */
public final class RawWebSocket implements AutoCloseable {

  /** A received frame: text, or a close with its code. */
  public record Frame(String text, int closeCode) {
    public boolean isClose() {
      return text == null;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Opens {@code ws://127.0.0.1:port/path}. */
  public static RawWebSocket connect(int port, String path) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(20_000);
    s.setTcpNoDelay(true);
    RawWebSocket ws = new RawWebSocket(s);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String req =
        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    ws.out.write(req.getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    String status = ws.readLine();
    if (!status.startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("upgrade refused: " + status);
    }
    while (!ws.readLine().isEmpty()) {
      // headers
    }
    return ws;
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  /** Sends one masked text frame. */
  public void send(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write(0x81);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65_536) {
      f.write(0x80 | 126);
      f.write(payload.length >> 8);
      f.write(payload.length);
    } else {
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    out.write(f.toByteArray());
    out.flush();
  }

  /** Sends a masked close frame with {@code code}. */
  public void sendClose(int code) throws IOException {
    byte[] f = {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, (byte) (code >> 8), (byte) code};
    out.write(f);
    out.flush();
  }

  /** Reads the next text or close frame; answers pings; skips pongs. */
  public Frame read() throws IOException {
    while (true) {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      long len = b1 & 0x7F;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      byte[] payload = new byte[(int) len];
      in.readFully(payload);
      int opcode = b0 & 0x0F;
      switch (opcode) {
        case 0x1:
          return new Frame(new String(payload, StandardCharsets.UTF_8), 0);
        case 0x8:
          int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
          return new Frame(null, code);
        case 0x9:
          sendControl(0xA, payload);
          break;
        default:
          break; // pong or continuation: not used by the server
      }
    }
  }

  private void sendControl(int opcode, byte[] payload) throws IOException {
    byte[] f = new byte[6 + payload.length];
    f[0] = (byte) (0x80 | opcode);
    f[1] = (byte) (0x80 | payload.length);
    // zero mask: payload unchanged
    System.arraycopy(payload, 0, f, 6, payload.length);
    out.write(f);
    out.flush();
  }

  /** Kills the TCP connection with a reset: no close frame, no FIN handshake. */
  public void abort() {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public void close() {
    abort();
  }
}
