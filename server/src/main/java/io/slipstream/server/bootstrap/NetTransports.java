package io.slipstream.server.bootstrap;

import io.vertx.core.VertxBuilder;
import io.vertx.core.transport.Transport;
import java.util.function.Consumer;

/**
 * Chooses the socket I/O engine that {@code netTransport} names, with a clean fallback: {@code
 * io_uring} where the kernel and the sandbox allow it, else epoll, else NIO; {@code epoll} where it
 * is available, else NIO; {@code nio} as asked.
 *
 * <p>Stateless; called once, at start, before Vert.x exists.
 */
final class NetTransports {

  private NetTransports() {}

  /**
   * Sets the transport on {@code builder} and says which one on {@code log} when it is not the one
   * asked for (the reason included).
   */
  static VertxBuilder apply(VertxBuilder builder, String netTransport, Consumer<String> log) {
    Transport chosen = choose(netTransport, log);
    return chosen == null ? builder : builder.withTransport(chosen);
  }

  /** The transport to force, or null to let Vert.x pick (epoll when preferred, else NIO). */
  static Transport choose(String netTransport, Consumer<String> log) {
    switch (netTransport) {
      case "io_uring":
        if (Transport.IO_URING.available()) {
          return Transport.IO_URING;
        }
        log.accept(
            "slipstream: netTransport=io_uring is unavailable ("
                + Transport.IO_URING.unavailabilityCause()
                + "); using "
                + (Transport.EPOLL.available() ? "epoll" : "nio"));
        return Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
      case "nio":
        return Transport.NIO;
      default:
        return null;
    }
  }
}
