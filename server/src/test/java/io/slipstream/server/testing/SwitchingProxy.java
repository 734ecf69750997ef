package io.slipstream.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 that a test points at one backend port and re-points at another, the way
 * a load balancer moves traffic off a failed node: each accepted connection is piped to the port in
 * force when it arrives, {@link #retarget} changes it for later connections, and {@link #cutAll}
 * resets every open connection on both sides. A connection whose backend refuses is reset at once,
 * as a balancer with no healthy backend does.
 *
 * <p>Thread-safe: an accept thread and two pump threads per connection; the test thread calls the
 * rest. Bounded by the test: connections are closed by cuts or by their ends, and {@link
 * #backends()} keeps at most {@link #MAX_HISTORY} entries.
 */
public final class SwitchingProxy implements AutoCloseable {

  private static final int MAX_HISTORY = 10_000;
  private static final int CONNECT_TIMEOUT_MS = 2_000;

  private final ServerSocket listener;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final List<Integer> history = new ArrayList<>();
  private volatile int target;

  private SwitchingProxy(int target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** A proxy on a free port of 127.0.0.1, piping to {@code target}. */
  public static SwitchingProxy to(int target) throws IOException {
    return new SwitchingProxy(target);
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Connections from now on go to {@code port}; those open stay where they are. */
  public void retarget(int port) {
    this.target = port;
  }

  /** Resets every open connection, both the client's side and the backend's; returns how many. */
  public int cutAll() {
    int n = 0;
    for (Link link : links) {
      link.close();
      n++;
    }
    return n;
  }

  /** The backend port of every connection piped so far, in order. */
  public List<Integer> backends() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
    cutAll();
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket down;
      try {
        down = listener.accept();
      } catch (IOException closed) {
        return;
      }
      int backend = target;
      Socket up = new Socket();
      try {
        up.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), backend), CONNECT_TIMEOUT_MS);
      } catch (IOException refused) {
        reset(down);
        reset(up);
        continue;
      }
      synchronized (history) {
        if (history.size() < MAX_HISTORY) {
          history.add(backend);
        }
      }
      Link link = new Link(down, up);
      links.add(link);
      link.start();
    }
  }

  /** Closes with RST (linger 0), as a cut connection ends, not a polite FIN. */
  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // Not connected: close is all there is.
    }
    try {
      s.close();
    } catch (IOException ignored) {
      // Gone either way.
    }
  }

  /** One client connection and its backend connection, piped both ways. */
  private final class Link {
    private final Socket down;
    private final Socket up;

    Link(Socket down, Socket up) {
      this.down = down;
      this.up = up;
    }

    void start() {
      pump(down, up, "proxy-up");
      pump(up, down, "proxy-down");
    }

    private void pump(Socket from, Socket to, String name) {
      Thread t =
          new Thread(
              () -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                  }
                } catch (IOException cut) {
                  // A cut or an end of either side: the link is over.
                }
                close();
              },
              name);
      t.setDaemon(true);
      t.start();
    }

    void close() {
      links.remove(this);
      reset(down);
      reset(up);
    }
  }
}
