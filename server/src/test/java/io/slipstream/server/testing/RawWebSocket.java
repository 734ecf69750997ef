package io.slipstream.server.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal blocking RFC 6455 client over a plain socket, for tests that need what a library
 * hides: an abrupt TCP reset with no close frame, or exact control of reads.
 *
 * <p>Not thread-safe: one reader thread, writes from the same thread.
 */
public final class RawWebSocket implements AutoCloseable {

  /** A received frame: text, or a close with its code. */
  public record Frame(String text, int closeCode, boolean compressed) {
    public Frame(String text, int closeCode) {
      this(text, closeCode, false);
    }

    public boolean isClose() {
      return text == null;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    // Buffered: one read syscall per chunk rather than per header byte. It reads ahead at most
    // its 8 KiB buffer, so a caller that stops reading still stops the socket soon after.
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 8192));
    this.out = socket.getOutputStream();
  }

  /** Opens {@code ws://127.0.0.1:port/path}. */
  public static RawWebSocket connect(int port, String path) throws IOException {
    return connect(port, path, 0);
  }

  /**
   * Opens {@code ws://127.0.0.1:port/path} with a socket receive buffer of {@code
   * receiveBufferBytes} (0: the system's), so that a reader that stops reading pushes back on
   * the server after that many bytes instead of the megabytes loopback autotuning allows.
   */
  public static RawWebSocket connect(int port, String path, int receiveBufferBytes)
      throws IOException {
    return connect(port, path, receiveBufferBytes, "");
  }

  /**
   * Opens {@code ws://127.0.0.1:port/path} offering permessage-deflate (RFC 7692), as browsers
   * do; {@link #extensions()} says what the server answered. Compressed text frames are inflated
   * with one inflater kept for the whole connection, as a client that keeps its context does.
   */
  public static RawWebSocket connectDeflate(int port, String path) throws IOException {
    return connect(
        port,
        path,
        0,
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
  }

  private static RawWebSocket connect(
      int port, String path, int receiveBufferBytes, String extraHeaders) throws IOException {
    Socket s = new Socket();
    if (receiveBufferBytes > 0) {
      // Before connect, so that the TCP window is negotiated for it.
      s.setReceiveBufferSize(receiveBufferBytes);
    }
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(20_000);
    s.setTcpNoDelay(true);
    RawWebSocket ws = new RawWebSocket(s);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String req =
        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
            + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    ws.out.write(req.getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    String status = ws.readLine();
    if (!status.startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("upgrade refused: " + status);
    }
    for (String h = ws.readLine(); !h.isEmpty(); h = ws.readLine()) {
      if (h.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-extensions:")) {
        ws.extensions = h.substring(h.indexOf(':') + 1).trim();
      }
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

  /** The server's {@code Sec-WebSocket-Extensions} answer, or "" when it named none. */
  public String extensions() {
    return extensions;
  }

  private String extensions = "";

  /** Inflates compressed messages across the connection; made on the first. */
  private java.util.zip.Inflater inflater;

  private String inflate(byte[] payload) throws IOException {
    if (inflater == null) {
      inflater = new java.util.zip.Inflater(true);
    }
    byte[] in = java.util.Arrays.copyOf(payload, payload.length + 4);
    in[payload.length + 2] = (byte) 0xFF;
    in[payload.length + 3] = (byte) 0xFF;
    inflater.setInput(in);
    ByteArrayOutputStream text = new ByteArrayOutputStream(payload.length * 4);
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = inflater.inflate(buf)) > 0 || !inflater.needsInput()) {
        text.write(buf, 0, n);
        if (n == 0 && inflater.finished()) {
          break;
        }
      }
    } catch (java.util.zip.DataFormatException e) {
      throw new IOException("a compressed frame did not inflate", e);
    }
    return text.toString(StandardCharsets.UTF_8);
  }

  /** Sends one masked text frame. */
  public void send(String text) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream(text.length() + 14);
    appendFrame(f, 0x81, text.getBytes(StandardCharsets.UTF_8));
    out.write(f.toByteArray());
    out.flush();
  }

  /** Sends one masked text frame per text, all in one write (the server reads them as a burst). */
  public void sendAll(List<String> texts) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    for (String text : texts) {
      appendFrame(f, 0x81, text.getBytes(StandardCharsets.UTF_8));
    }
    out.write(f.toByteArray());
    out.flush();
  }

  /** Sends one masked frame whose first byte (FIN, RSV, opcode) is {@code b0}, as it is. */
  public void sendFrame(int b0, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    appendFrame(f, b0, payload);
    out.write(f.toByteArray());
    out.flush();
  }

  /** Sends one masked binary frame. */
  public void sendBinary(byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    appendFrame(f, 0x82, payload);
    out.write(f.toByteArray());
    out.flush();
  }

  /**
   * Sends {@code text} as one text message in {@code pieces} frames (a text frame, then
   * continuation frames, the last one final), cut at byte boundaries, which may split a UTF-8
   * character between frames as RFC 6455 allows.
   */
  public void sendFragmented(String text, int pieces) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    int n = Math.max(1, Math.min(pieces, payload.length));
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14 * n);
    for (int i = 0; i < n; i++) {
      int from = payload.length * i / n;
      int to = payload.length * (i + 1) / n;
      byte[] part = java.util.Arrays.copyOfRange(payload, from, to);
      int opcode = i == 0 ? 0x1 : 0x0;
      appendFrame(f, (i == n - 1 ? 0x80 : 0) | opcode, part);
    }
    out.write(f.toByteArray());
    out.flush();
  }

  /** Appends one masked frame whose first byte (FIN, opcode) is {@code b0}. */
  private static void appendFrame(ByteArrayOutputStream f, int b0, byte[] payload) {
    f.write(b0);
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
    f.write(mask, 0, 4);
    // Masked into one array and written at once: the stream's write(int) costs a call per byte.
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    f.write(masked, 0, masked.length);
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
          if ((b0 & 0x40) != 0) {
            return new Frame(inflate(payload), 0, true);
          }
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

  /** How long {@link #read()} blocks before it throws {@link java.net.SocketTimeoutException}. */
  public void readTimeout(int ms) throws IOException {
    socket.setSoTimeout(ms);
  }

  /**
   * Closes the WebSocket way: a close frame with {@code code}, then reading (and discarding
   * text) until the server's close frame or the end of the stream, at most {@code timeoutMs},
   * then a normal TCP close. Returns the text frames that came before the server's close.
   */
  public List<String> closeGracefully(int code, int timeoutMs) {
    List<String> late = new java.util.ArrayList<>();
    try {
      sendClose(code);
      socket.setSoTimeout(timeoutMs);
      while (true) {
        Frame f = read();
        if (f.isClose()) {
          break;
        }
        late.add(f.text());
      }
    } catch (IOException ignored) {
      // The server may close first; either way the socket goes now.
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
    return late;
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
