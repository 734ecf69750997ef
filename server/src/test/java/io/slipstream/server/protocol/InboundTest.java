package io.slipstream.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.topic.Position;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InboundTest {

  @Test
  void parsesAFullHello() {
    Inbound.Parsed p =
        Inbound.parse(
            "{\"type\":\"hello\",\"id\":1,\"resume\":\"tok\",\"clientId\":\"c\",\"batch\":true,"
                + "\"positions\":{\"a\":{\"epoch\":\"e\",\"seq\":3}}}");
    assertThat(p.violation()).isNull();
    ClientMessage.Hello h = (ClientMessage.Hello) p.message();
    assertThat(h.resume()).isEqualTo("tok");
    assertThat(h.clientId()).isEqualTo("c");
    assertThat(h.batch()).isTrue();
    assertThat(h.positions()).containsEntry("a", new Position("e", 3));
    assertThat(h.id()).isEqualTo(1);
  }

  @Test
  void parsesAuthAndBoundsTokens() {
    ClientMessage.Auth a =
        (ClientMessage.Auth)
            Inbound.parse("{\"type\":\"auth\",\"id\":\"r\",\"token\":\"a.b.c\"}").message();
    assertThat(a.token()).isEqualTo("a.b.c");
    assertThat(a.id()).isEqualTo("r");
    String longest = "t".repeat(Inbound.MAX_TOKEN_CHARS);
    assertThat(Inbound.parse("{\"type\":\"auth\",\"token\":\"" + longest + "\"}").violation())
        .isNull();
    assertThat(
            ((ClientMessage.Hello)
                    Inbound.parse("{\"type\":\"hello\",\"token\":\"" + longest + "\"}").message())
                .token())
        .hasSize(Inbound.MAX_TOKEN_CHARS);
    assertThat(
            Inbound.parse("{\"type\":\"auth\",\"token\":\"" + longest + "t\"}").violation().code())
        .isEqualTo(ErrorCode.BAD_MESSAGE);
    assertThat(
            Inbound.parse("{\"type\":\"hello\",\"token\":\"" + longest + "t\"}")
                .violation()
                .message())
        .contains(String.valueOf(Inbound.MAX_TOKEN_CHARS));
  }

  @Test
  void parsesSubscribeWithFromAndAck() {
    ClientMessage.Subscribe s =
        (ClientMessage.Subscribe)
            Inbound.parse(
                    "{\"type\":\"subscribe\",\"topic\":\"t\",\"from\":{\"epoch\":\"e\",\"seq\":0}}")
                .message();
    assertThat(s.from()).isEqualTo(new Position("e", 0));
    ClientMessage.Ack a =
        (ClientMessage.Ack)
            Inbound.parse("{\"type\":\"ack\",\"topic\":\"t\",\"seq\":12}").message();
    assertThat(a.seq()).isEqualTo(12);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{bad                                                    | BAD_JSON",
        "[]                                                      | BAD_JSON",
        "null                                                    | BAD_JSON",
        "{}                                                      | BAD_MESSAGE",
        "{\"type\":\"x\"}                                        | UNKNOWN_TYPE",
        "{\"type\":\"ping\",\"id\":true}                         | BAD_MESSAGE",
        "{\"type\":\"hello\",\"batch\":\"yes\"}                  | BAD_MESSAGE",
        "{\"type\":\"hello\",\"resume\":5}                       | BAD_MESSAGE",
        "{\"type\":\"hello\",\"positions\":[]}                   | BAD_POSITION",
        "{\"type\":\"hello\",\"positions\":{\"a b\":{}}}         | BAD_TOPIC",
        "{\"type\":\"hello\",\"positions\":{\"a\":{\"seq\":1}}}  | BAD_POSITION",
        "{\"type\":\"subscribe\",\"topic\":\"\"}                 | BAD_TOPIC",
        "{\"type\":\"subscribe\",\"topic\":\"t\",\"from\":3}     | BAD_POSITION",
        "{\"type\":\"ack\",\"topic\":\"t\",\"seq\":1.5}          | BAD_MESSAGE",
        "{\"type\":\"ack\",\"topic\":\"t\"}                      | BAD_MESSAGE",
        "{\"type\":\"unsubscribe\"}                              | BAD_TOPIC",
        "{\"type\":\"auth\"}                                     | BAD_MESSAGE",
        "{\"type\":\"auth\",\"token\":5}                         | BAD_MESSAGE",
        "{\"type\":\"hello\",\"token\":[]}                       | BAD_MESSAGE",
      })
  void refusesMalformedMessagesWithThePreciseCode(String frame, ErrorCode code) {
    Inbound.Parsed p = Inbound.parse(frame.trim());
    assertThat(p.message()).isNull();
    assertThat(p.violation().code()).isEqualTo(code);
    assertThat(p.violation().message()).isNotBlank();
  }

  /** docs/protocol.md §3: strict JSON; a lenient parser would have answered each with pong. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"ping\" /* c */}",
        "{\"type\":\"ping\"} // c",
        "{\"type\":\"ping\",}",
        "{'type':'ping'}",
        "{type:\"ping\"}",
        "{\"type\":\"ping\",\"id\":NaN}",
        "{\"type\":\"ping\"} {\"type\":\"ping\"}",
      })
  void lenientJsonIsBadJson(String frame) {
    Inbound.Parsed p = Inbound.parse(frame);
    assertThat(p.message()).isNull();
    assertThat(p.violation().code()).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(p.id()).as("nothing of a malformed frame is trusted, not even its id").isNull();
  }
}
