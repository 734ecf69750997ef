package io.slipstream.loadtest.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SockJsFramesTest {

  private final List<String> events = new ArrayList<>();
  private final SockJsFrames.Sink sink =
      new SockJsFrames.Sink() {
        @Override
        public void message(String json) {
          events.add("msg " + json);
        }

        @Override
        public void open() {
          events.add("open");
        }

        @Override
        public void heartbeat() {
          events.add("heartbeat");
        }

        @Override
        public void close(int code, String reason) {
          events.add("close " + code + " " + reason);
        }
      };

  @Test
  void decodesEveryFrameKind() {
    assertThat(SockJsFrames.decode("o", sink)).isTrue();
    assertThat(SockJsFrames.decode("h", sink)).isTrue();
    assertThat(
            SockJsFrames.decode("a[\"{\\\"type\\\":\\\"welcome\\\"}\",\"{\\\"seq\\\":1}\"]", sink))
        .isTrue();
    assertThat(SockJsFrames.decode("c[4001,\"slow consumer\"]", sink)).isTrue();
    assertThat(SockJsFrames.decode("m\"{}\"", sink)).isTrue();
    assertThat(events)
        .containsExactly(
            "open",
            "heartbeat",
            "msg {\"type\":\"welcome\"}",
            "msg {\"seq\":1}",
            "close 4001 slow consumer",
            "msg {}");
  }

  @Test
  void rejectsWhatIsNotAFrame() {
    assertThat(SockJsFrames.decode("", sink)).isFalse();
    assertThat(SockJsFrames.decode("{\"type\":\"x\"}", sink)).isFalse();
    assertThat(SockJsFrames.decode("a[\"unterminated", sink)).isFalse();
  }

  @Test
  void encodedClientFramesAreArraysOfOneString() {
    String message = "{\"type\":\"hello\",\"clientId\":\"a\\\"b\"}";
    String frame = Transport.SOCKJS.encode(message);
    JsonArray parsed = new JsonArray(frame);
    assertThat(parsed.size()).isEqualTo(1);
    assertThat(parsed.getString(0)).isEqualTo(message);
    assertThat(Transport.WS.encode(message)).isSameAs(message);
    assertThat(Transport.SOCKJS_RAW.encode(message)).isSameAs(message);
  }

  @Test
  void pathsFollowTheSockJsLayout() {
    Random r = new Random(1);
    assertThat(Transport.WS.path("/ws", "/sockjs", r)).isEqualTo("/ws");
    assertThat(Transport.SOCKJS_RAW.path("/ws", "/sockjs", r)).isEqualTo("/sockjs/websocket");
    assertThat(Transport.SOCKJS.path("/ws", "/sockjs", r))
        .matches("/sockjs/\\d{3}/[0-9a-z]+/websocket");
    assertThat(Transport.parse("SockJS")).isEqualTo(Transport.SOCKJS);
  }
}
