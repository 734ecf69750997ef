package io.slipstream.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The protocol codes match docs/protocol.md §9 and are unambiguous on the wire. */
class MessageCodesTest {

  @Test
  void closeCodesAreThoseOfTheProtocol() {
    assertThat(Arrays.stream(CloseCode.values()).mapToInt(CloseCode::code))
        .containsExactlyInAnyOrder(1000, 1008, 1009, 1012, 4001, 4003, 4004, 4008, 4029);
    assertThat(CloseCode.SLOW_CONSUMER.code()).isEqualTo(4001);
    assertThat(CloseCode.SLOW_CONSUMER.reconnect()).isEqualTo(CloseCode.Reconnect.WITH_BACKOFF);
    assertThat(CloseCode.RESTARTING.reconnect()).isEqualTo(CloseCode.Reconnect.IMMEDIATELY);
    assertThat(CloseCode.PROTOCOL_VIOLATION.reconnect()).isEqualTo(CloseCode.Reconnect.NO);
    for (CloseCode c : CloseCode.values()) {
      // A close frame's reason must fit in 123 bytes.
      assertThat(c.reason()).isNotBlank().hasSizeLessThan(123);
    }
  }

  @Test
  void errorCodeWireNamesAreUniqueLowerKebab() {
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wireName).distinct().count())
        .isEqualTo(ErrorCode.values().length);
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(c.wireName()).matches("[a-z]+(-[a-z]+)*");
      assertThat(c.httpStatus()).isBetween(400, 599);
    }
    assertThat(DropReason.BUFFER_FULL.wireName()).isEqualTo("buffer");
  }

  @Test
  void violationNeedsCodeAndMessage() {
    assertThatThrownBy(() -> new Violation(null, "m")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Violation(ErrorCode.BAD_KEY, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
