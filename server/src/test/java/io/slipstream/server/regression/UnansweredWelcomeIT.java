package io.slipstream.server.regression;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.server.testing.RawWebSocket;
import io.slipstream.server.testing.RecordingLifecycle;
import io.slipstream.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bug: the token a client resumed with was retired as soon as the resume's {@code welcome} was
 * written to the socket. Written is not received: in the cluster failover run a node was frozen
 * (SIGSTOP) just after writing welcomes, its clients gave up on the silent socket and came back
 * elsewhere with the only token they had, and got fresh sessions (5 of 7 resumed; CI failed on it).
 *
 * <p>Contract 1.1 §4 and guarantee 5: a client returning with its token resumes. The token is now
 * retired only once the client answered, with a {@code pong} message, the {@code ping} message the
 * server writes right after the welcome, which it can only do having read the welcome. A WebSocket
 * pong frame does not count: the socket's stack sends it by itself, also for a client that gave
 * the socket up (the load tool's clients in that run still answered ping frames).
 */
class UnansweredWelcomeIT {

  private TestServer server;
  private RecordingLifecycle events;

  @BeforeEach
  void start() {
    server = TestServer.startWithoutHeartbeats();
    events = RecordingLifecycle.on(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aTokenStillResumesWhenTheClientNeverAnsweredThePingAfterItsWelcome() throws IOException {
    JsonObject w1;
    try (RawWebSocket first = RawWebSocket.connect(server.port(), "/ws")) {
      first.send(hello(null));
      w1 = welcome(first);
      assertThat(w1.getBoolean("resumed")).isFalse();
    }
    events.await("disconnected", w1.getString("session"));

    // Reads its welcome and the ping behind it, never answers that, and is gone.
    try (RawWebSocket gaveUp = RawWebSocket.connect(server.port(), "/ws")) {
      gaveUp.send(hello(w1.getString("resume")));
      assertThat(welcome(gaveUp).getBoolean("resumed")).isTrue();
      assertThat(type(gaveUp)).as("the message after the welcome").isEqualTo("ping");
      gaveUp.abort();
    }
    events.await("disconnected", w1.getString("session"));

    try (RawWebSocket back = RawWebSocket.connect(server.port(), "/ws")) {
      back.send(hello(w1.getString("resume")));
      JsonObject w3 = welcome(back);
      assertThat(w3.getBoolean("resumed")).as("the token the client had still resumes").isTrue();
      assertThat(w3.getString("session")).isEqualTo(w1.getString("session"));
      assertThat(type(back)).isEqualTo("ping");
      back.send(new JsonObject().put("type", "pong").encode());
      // Answered after the pong: the server has read the pong when this comes.
      back.send(new JsonObject().put("type", "ping").put("id", 1).encode());
      assertThat(type(back)).isEqualTo("pong");

      try (RawWebSocket replay = RawWebSocket.connect(server.port(), "/ws")) {
        replay.send(hello(w1.getString("resume")));
        JsonObject w4 = welcome(replay);
        assertThat(w4.getBoolean("resumed"))
            .as("once the client answered the ping after its welcome, the old token is retired")
            .isFalse();
        assertThat(w4.getString("session")).isNotEqualTo(w1.getString("session"));
      }
    }
  }

  private static String hello(String resume) {
    JsonObject h = new JsonObject().put("type", "hello");
    if (resume != null) {
      h.put("resume", resume);
    }
    return h.encode();
  }

  private static String type(RawWebSocket ws) throws IOException {
    return new JsonObject(ws.read().text()).getString("type");
  }

  private static JsonObject welcome(RawWebSocket ws) throws IOException {
    JsonObject w = new JsonObject(ws.read().text());
    assertThat(w.getString("type")).isEqualTo("welcome");
    return w;
  }
}
