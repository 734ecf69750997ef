package io.slipstream.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.browser.SockJsPage.Timing;
import io.slipstream.server.testing.TestServer;
import java.io.IOException;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real sockjs-client 1.6.1 in a real headless Chromium, straight to the server, on each SockJS
 * transport a browser uses ({@code websocket}, and the {@code xhr-streaming} and {@code
 * xhr-polling} it falls back to), with each send timing of {@link SockJsPage.Timing}: the page is
 * welcomed and subscribed and receives every change published afterwards, in order, its socket
 * still open ({@link SockJsPage#receivesEveryChange}). The stream is long enough for xhr-streaming
 * to be recycled and for xhr-polling to poll dozens of times.
 *
 * <p>Chromium resends a request whose reused connection closes before answering, so it does not see
 * the unannounced closes that {@code regression/SockJsXhrConnectionCloseIT} is about; that test
 * puts a proxy between the two.
 *
 * <p>Chromium comes from the OS ({@link Chromium}): where it is missing the tests fail under CI
 * (the environment variable {@code CI} set) and are skipped only where {@code CI} is not set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SockJsBrowserIT {

  private TestServer server;
  private Chromium chromium;

  @BeforeAll
  void start() throws IOException {
    server = TestServer.start();
    chromium = Chromium.start();
  }

  @AfterAll
  void stop() throws IOException {
    if (chromium != null) {
      chromium.close();
    }
    if (server != null) {
      server.close();
    }
  }

  static Stream<Arguments> transportsAndTimings() {
    return Stream.of("websocket", "xhr-streaming", "xhr-polling")
        .flatMap(t -> Stream.of(Timing.values()).map(timing -> Arguments.of(t, timing)));
  }

  @ParameterizedTest(name = "{0}, sends {1}")
  @MethodSource("transportsAndTimings")
  void everyChangeArrivesInOrder(String transport, Timing timing) {
    String topic = "b-" + transport + "-" + timing.name().toLowerCase(Locale.ROOT);
    SockJsPage page = SockJsPage.open(chromium, server.port(), transport, timing, topic);
    page.receivesEveryChange(server);
    if (transport.equals("xhr-streaming")) {
      assertThat(page.requests("xhr_streaming")).as("streams, recycled").isGreaterThan(1);
    } else if (transport.equals("xhr-polling")) {
      assertThat(page.requests("xhr")).as("polls").isGreaterThan(3);
    }
  }
}
