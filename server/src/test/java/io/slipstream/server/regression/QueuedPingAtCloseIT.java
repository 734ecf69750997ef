package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: heartbeat pings wait in a connection's control queue behind its replies (so that a ping
 * never overtakes the {@code welcome}), and the replies still queued when the server closes are
 * written ahead of the close frame; that flush wrote a queued ping as an empty text frame, which
 * no client can parse (found by ResumeChaosIT: a stalled client taken over by a resume).
 *
 * <p>Here a client that stops reading fills its socket, so the pings queue, and stays silent
 * until the server closes it with 4008: every text frame it then reads must be a JSON message.
 * A ping written at once on a socket this full is still a frame, which is why the bug showed
 * only in the flush at close.
 */
class QueuedPingAtCloseIT {

  private TestServer server;

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void pingsQueuedBehindAFullSocketAreNotWrittenAsMessagesAtTheClose() throws IOException {
    server =
        TestServer.start(
            SlipstreamConfig.defaults().toBuilder()
                .heartbeatMs(100)
                .heartbeatTimeoutMs(1_500)
                .build());
    RecordingLifecycle events = RecordingLifecycle.on(server);
    String pad = "p".repeat(1_024);
    try (RawWebSocket ws = RawWebSocket.connect(server.port(), "/ws", 4_096)) {
      ws.send(new JsonObject().put("type", "hello").encode());
      JsonObject welcome = new JsonObject(ws.read().text());
      assertThat(welcome.getString("type")).isEqualTo("welcome");
      ws.send(new JsonObject().put("type", "subscribe").put("topic", "t").encode());
      // Far more than the socket's buffers hold: the connection waits for it to drain, and every
      // ping of the silence before 4008 waits behind.
      for (int batch = 0; batch < 40; batch++) {
        JsonArray changes = new JsonArray();
        for (int i = 0; i < 100; i++) {
          changes.add(
              new JsonObject()
                  .put("op", "UPDATE")
                  .put("key", "k" + i)
                  .put("row", new JsonObject().put("pad", pad).put("n", batch)));
        }
        server.publish("t", changes);
      }
      // Reading answers pings: only once the server has given the silent client up.
      events.await("disconnected", welcome.getString("session"));
      List<String> notJson = new ArrayList<>();
      int close;
      while (true) {
        RawWebSocket.Frame f = ws.read();
        if (f.isClose()) {
          close = f.closeCode();
          break;
        }
        if (!f.text().startsWith("{")) {
          notJson.add("'" + f.text() + "'");
        }
      }
      assertThat(close).as("closed for its silence").isEqualTo(4008);
      assertThat(notJson).as("text frames that are no JSON message").isEmpty();
    }
  }
}
