package io.slipstream.server.transport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;

/**
 * {@link WebSocketTransportIT} on Netty's io_uring transport ({@code netTransport=io_uring}):
 * frames written straight into an io_uring channel arrive the same. Skipped where the kernel or the
 * sandbox refuses io_uring (the server then falls back to epoll, see NetTransportsTest).
 */
class WebSocketTransportIoUringIT extends WebSocketTransportIT {

  @Override
  protected Vertx newVertx() {
    assumeTrue(
        Transport.IO_URING.available(),
        () -> "io_uring unavailable: " + Transport.IO_URING.unavailabilityCause());
    return Vertx.builder().withTransport(Transport.IO_URING).build();
  }
}
