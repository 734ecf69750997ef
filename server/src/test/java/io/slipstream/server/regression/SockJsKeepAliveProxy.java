package io.slipstream.server.regression;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 reverse proxy on the loopback interface in front of the server, as a corporate proxy
 * is in front of a browser's SockJS: it blocks WebSockets (an upgrade gets 403, which is what sends
 * sockjs-client to its xhr transports), and it keeps its connections to the server alive and reuses
 * them.
 *
 * <p>Reuse follows HTTP/1.1 and nothing else: a response that says {@code Connection: close} ends
 * its connection, every other response leaves it open for the next request (RFC 9112 §9.3), and the
 * most recently released connection is reused first, as Node's HTTP agent does. Nothing is checked
 * before a reuse, so this is the widest form of the race every keep-alive client runs against a
 * server that closes a connection without saying so (Node 20's agent loses it within two
 * microtasks; Chromium hides it by resending the request). A request whose reused connection dies
 * before any response byte is resent only when it is a GET or a HEAD: a POST is not idempotent (RFC
 * 9110 §9.2.2), so its client gets 502, as from nginx.
 *
 * <p>{@link #exchange} sends one request through the same pool, for tests without a browser.
 *
 * <p>Thread-safe: one thread accepts, one thread serves each client connection (the tests open a
 * handful), and the pool of idle connections, guarded by itself, holds at most {@link #IDLE_MAX}.
 */
final class SockJsKeepAliveProxy implements AutoCloseable {

  /** Idle connections to the server kept for reuse; more are closed. */
  static final int IDLE_MAX = 16;

  /** The longest request or response head, or chunk-size line, read. */
  private static final int MAX_HEAD = 64 * 1024;

  /** The longest request body buffered before it is forwarded. */
  private static final int MAX_REQUEST_BODY = 1 << 20;

  /** The bound on every read from the server. */
  private static final int READ_TIMEOUT_MS = 30_000;
  private static final byte[] CRLF = {'\r', '\n'};

  /** What a client gets for a POST that died on a reused connection, as from nginx. */
  private static final Head BAD_GATEWAY =
      Head.parse(
          "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));

  private final ServerSocket listener;
  private final int target;
  private final Deque<Socket> idle = new ArrayDeque<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger deadReuses = new AtomicInteger();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "keep-alive-proxy");
            t.setDaemon(true);
            return t;
          });

  SockJsKeepAliveProxy(int target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  /**
   * Requests that were put on a reused connection which the server had closed without saying so;
   * each one reached its client as 502 (a POST) or was resent on a new connection (a GET).
   */
  int deadReuses() {
    return deadReuses.get();
  }

  /** A response as {@link #exchange} returns it: the status and the body, de-chunked. */
  record Response(int status, String body) {}

  /**
   * Sends {@code method path} with {@code body} through the pool, as if a client had sent it to the
   * proxy, and returns the response once it has ended; the body's bytes also go to {@code sink} as
   * they arrive, so that a caller can watch a stream.
   */
  Response exchange(String method, String path, String body, OutputStream sink) throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    Head request =
        Head.parse(
            (method
                    + " "
                    + path
                    + " HTTP/1.1\r\nHost: 127.0.0.1:"
                    + target
                    + "\r\nContent-Type: text/plain\r\nContent-Length: "
                    + content.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    Answer answer = send(request, content);
    ByteArrayOutputStream decoded = new ByteArrayOutputStream();
    finish(answer, request, new Tee(decoded, sink), false);
    return new Response(answer.head().status(), decoded.toString(StandardCharsets.UTF_8));
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        client.setTcpNoDelay(true);
        open.add(client);
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        // Closed.
      }
    }
  }

  /** Serves one client connection, one request after another. */
  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      Head request;
      while ((request = Head.read(in)) != null) {
        if ("websocket".equalsIgnoreCase(request.header("upgrade"))) {
          out.write(
              "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        copyBody(request, false, in, new Bounded(body, MAX_REQUEST_BODY), true);
        Answer answer = send(request, body.toByteArray());
        out.write(answer.head().bytes());
        out.flush();
        if (!finish(answer, request, out, true)
            || answer.head().says("close")
            || request.says("close")) {
          return;
        }
      }
    } catch (IOException e) {
      // The client or the server went away mid-message: the connection is over.
    } finally {
      open.remove(client);
    }
  }

  /**
   * The server's answer to a request: the response head and the connection its body follows on, or
   * the proxy's own 502 (with no connection).
   */
  private record Answer(Head head, Socket upstream) {}

  /** Sends a request on an idle connection, or a new one, and reads the response head. */
  private Answer send(Head request, byte[] body) throws IOException {
    boolean idempotent = request.method().equals("GET") || request.method().equals("HEAD");
    Socket upstream = takeIdle();
    boolean reused = upstream != null;
    while (true) {
      if (upstream == null) {
        upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        upstream.setTcpNoDelay(true);
        // A bound on every read, so that a test cannot hang on a server that never answers;
        // SockJS sends a heartbeat frame well within it.
        upstream.setSoTimeout(READ_TIMEOUT_MS);
        open.add(upstream);
      }
      try {
        OutputStream up = upstream.getOutputStream();
        up.write(request.bytes());
        up.write(body);
        up.flush();
        Head response = Head.read(upstream.getInputStream());
        if (response == null) {
          throw new EOFException("closed before responding");
        }
        return new Answer(response, upstream);
      } catch (IOException e) {
        close(upstream);
        upstream = null;
        if (!reused) {
          throw e;
        }
        deadReuses.incrementAndGet();
        reused = false;
        if (!idempotent) {
          return new Answer(BAD_GATEWAY, null);
        }
      }
    }
  }

  /**
   * Copies the answer's body to {@code out} ({@code raw}: with its framing), then keeps its
   * connection for reuse unless the response said {@code Connection: close} or had no framed end;
   * returns whether it was kept (or there was none).
   */
  private boolean finish(Answer answer, Head request, OutputStream out, boolean raw)
      throws IOException {
    Socket upstream = answer.upstream();
    if (upstream == null) {
      return true;
    }
    try {
      boolean framed =
          copyBody(
              answer.head(), request.method().equals("HEAD"), upstream.getInputStream(), out, raw);
      if (framed && !answer.head().says("close")) {
        release(upstream);
        return true;
      }
    } catch (IOException e) {
      close(upstream);
      throw e;
    }
    close(upstream);
    return false;
  }

  private Socket takeIdle() {
    synchronized (idle) {
      return idle.pollFirst();
    }
  }

  private void release(Socket upstream) {
    synchronized (idle) {
      if (idle.size() < IDLE_MAX) {
        idle.addFirst(upstream);
        return;
      }
    }
    close(upstream);
  }

  /**
   * Copies a message's body from {@code in} to {@code out}, flushing as it goes so that a stream
   * streams; {@code raw} keeps the chunked framing, otherwise only the content is copied. Returns
   * whether the body had a framed end, so the connection can carry more.
   */
  private static boolean copyBody(
      Head head, boolean headRequest, InputStream in, OutputStream out, boolean raw)
      throws IOException {
    boolean request = head.status() < 0;
    if (headRequest
        || head.status() == 204
        || head.status() == 304
        || (head.status() >= 100 && head.status() < 200)) {
      return true;
    }
    if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
      while (true) {
        String line = readLine(in);
        int size = Integer.parseInt(line.split(";", 2)[0].trim(), 16);
        if (raw) {
          out.write(line.getBytes(StandardCharsets.ISO_8859_1));
          out.write(CRLF);
        }
        if (size == 0) {
          String trailer;
          while (!(trailer = readLine(in)).isEmpty()) {
            if (raw) {
              out.write(trailer.getBytes(StandardCharsets.ISO_8859_1));
              out.write(CRLF);
            }
          }
          if (raw) {
            out.write(CRLF);
          }
          out.flush();
          return true;
        }
        copy(in, out, size);
        readLine(in); // the CRLF after the chunk
        if (raw) {
          out.write(CRLF);
        }
        out.flush();
      }
    }
    String length = head.header("content-length");
    if (length != null) {
      copy(in, out, Long.parseLong(length.trim()));
      out.flush();
      return true;
    }
    if (request) {
      return true; // a request without either has no body
    }
    in.transferTo(out); // until the server closes: the connection is done
    out.flush();
    return false;
  }

  private static void copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[8192];
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new EOFException("body cut short");
      }
      out.write(buf, 0, r);
      n -= r;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException("line cut short");
      }
      if (sb.length() > MAX_HEAD) {
        throw new IOException("line longer than " + MAX_HEAD);
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // Nothing left to release.
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : new ArrayList<>(open)) {
      close(s);
    }
    threads.shutdownNow();
  }

  /** A request or response head: the start line and the header lines, as received. */
  private record Head(String start, List<String[]> headers) {

    /** Reads a head; null when the stream ends before its first byte. */
    static Head read(InputStream in) throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int c;
      int tail = 0; // how much of CRLF CRLF has been seen
      while (tail < 4 && (c = in.read()) >= 0) {
        buf.write(c);
        tail = (c == (tail % 2 == 0 ? '\r' : '\n')) ? tail + 1 : (c == '\r' ? 1 : 0);
        if (buf.size() > MAX_HEAD) {
          throw new IOException("head longer than " + MAX_HEAD);
        }
      }
      if (buf.size() == 0) {
        return null;
      }
      if (tail < 4) {
        throw new EOFException("head cut short");
      }
      return parse(buf.toByteArray());
    }

    static Head parse(byte[] bytes) {
      String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n");
      List<String[]> headers = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1)});
        }
      }
      return new Head(lines[0], headers);
    }

    /** The first value of {@code name}, trimmed, or null. */
    String header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h[1].trim();
        }
      }
      return null;
    }

    /** Whether the Connection header lists {@code option}. */
    boolean says(String option) {
      String connection = header("connection");
      if (connection == null) {
        return false;
      }
      for (String o : connection.split(",")) {
        if (o.trim().equalsIgnoreCase(option)) {
          return true;
        }
      }
      return false;
    }

    /** The status of a response; -1 for a request. */
    int status() {
      return start.startsWith("HTTP/") ? Integer.parseInt(start.split(" ")[1]) : -1;
    }

    String method() {
      return start.split(" ", 2)[0].toUpperCase(Locale.ROOT);
    }

    byte[] bytes() {
      StringBuilder sb = new StringBuilder(start).append("\r\n");
      for (String[] h : headers) {
        sb.append(h[0]).append(':').append(h[1]).append("\r\n");
      }
      return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }

  /** Fails once more than {@code max} bytes have been written. */
  private static final class Bounded extends OutputStream {
    private final OutputStream out;
    private long left;

    Bounded(OutputStream out, long max) {
      this.out = out;
      this.left = max;
    }

    @Override
    public void write(int c) throws IOException {
      write(new byte[] {(byte) c}, 0, 1);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      left -= len;
      if (left < 0) {
        throw new IOException("request body over " + MAX_REQUEST_BODY + " bytes");
      }
      out.write(buf, off, len);
    }
  }
}
