package io.slipstream.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code netTransport}: the engine asked for, or a named fallback, and Vert.x really on it. */
class NetTransportsTest {

  private final List<String> log = new ArrayList<>();

  @Test
  void ioUringWhereAllowedElseEpollWithTheReasonLogged() {
    Transport chosen = NetTransports.choose("io_uring", log::add);
    if (Transport.IO_URING.available()) {
      assertThat(chosen).isSameAs(Transport.IO_URING);
      assertThat(log).isEmpty();
    } else {
      assertThat(chosen).isIn(Transport.EPOLL, Transport.NIO);
      assertThat(log).singleElement().asString().contains("io_uring is unavailable");
    }
    Vertx vertx = NetTransports.apply(Vertx.builder(), "io_uring", log::add).build();
    try {
      assertThat(vertx.isNativeTransportEnabled()).isEqualTo(chosen != Transport.NIO);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void epollIsLeftToVertxAndNioIsForced() {
    assertThat(NetTransports.choose("epoll", log::add)).isNull();
    assertThat(NetTransports.choose("nio", log::add)).isSameAs(Transport.NIO);
    assertThat(log).isEmpty();
  }
}
