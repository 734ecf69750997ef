package io.slipstream.loadtest.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameScannerTest {

  private static final String CHANGE =
      "{\"type\":\"change\",\"topic\":\"orders\",\"epoch\":\"e1\",\"seq\":42,\"op\":\"UPDATE\","
          + "\"key\":\"k7\",\"ts\":1700000000000,\"row\":{\"t\":123456789,\"v\":9,\"p\":\"xx\"}}";

  @Test
  void readsTheFieldsOfAChangeWithoutParsing() {
    int to = CHANGE.length();
    assertThat(FrameScanner.typeIs(CHANGE, 0, to, "change")).isTrue();
    assertThat(FrameScanner.typeIs(CHANGE, 0, to, "chang")).isFalse();
    assertThat(FrameScanner.typeIs(CHANGE, 0, to, "changes")).isFalse();
    assertThat(FrameScanner.longField(CHANGE, "\"seq\":", 0, to)).isEqualTo(42);
    assertThat(FrameScanner.longField(CHANGE, "\"t\":", 0, to)).isEqualTo(123456789);
    assertThat(FrameScanner.longField(CHANGE, "\"ts\":", 0, to)).isEqualTo(1700000000000L);
    assertThat(FrameScanner.longField(CHANGE, "\"v\":", 0, to)).isEqualTo(9);
    assertThat(FrameScanner.contains(CHANGE, "\"snapshot\":true", 0, to)).isFalse();
    assertThat(FrameScanner.stringFieldEquals(CHANGE, "\"topic\":", 0, to, "orders")).isTrue();
    assertThat(FrameScanner.stringFieldEquals(CHANGE, "\"topic\":", 0, to, "order")).isFalse();
  }

  @Test
  void theTypeNeedleDoesNotMatchOtherFieldsEndingInType() {
    String s = "{\"subtype\":\"x\",\"type\":\"welcome\"}";
    // "subtype" contains "type" but the needle includes the opening quote.
    assertThat(FrameScanner.typeIs(s, 0, s.length(), "welcome")).isTrue();
    assertThat(FrameScanner.typeIs(s, 0, s.length(), "x")).isFalse();
  }

  @Test
  void aFieldAbsentOrNotANumberIsAbsent() {
    String s = "{\"type\":\"dropped\",\"from\":\"a\"}";
    assertThat(FrameScanner.longField(s, "\"seq\":", 0, s.length())).isEqualTo(FrameScanner.ABSENT);
    assertThat(FrameScanner.longField(s, "\"from\":", 0, s.length()))
        .isEqualTo(FrameScanner.ABSENT);
  }

  @Test
  void parsesNegativeFractionalAndSpacedNumbers() {
    assertThat(FrameScanner.parseLong("-17,", 0, 4)).isEqualTo(-17);
    assertThat(FrameScanner.parseLong(" 3.9}", 0, 5)).isEqualTo(3);
    assertThat(FrameScanner.parseLong("x", 0, 1)).isEqualTo(FrameScanner.ABSENT);
    assertThat(FrameScanner.parseLong("1234567890123456789012", 0, 22))
        .isEqualTo(FrameScanner.ABSENT);
  }

  @Test
  void respectsTheRangeEnd() {
    String s = "{\"a\":1}{\"seq\":5}";
    assertThat(FrameScanner.longField(s, "\"seq\":", 0, 7)).isEqualTo(FrameScanner.ABSENT);
    assertThat(FrameScanner.longField(s, "\"seq\":", 7, s.length())).isEqualTo(5);
  }

  @Test
  void unescapesStringValues() {
    String s = "{\"message\":\"a \\\"quoted\\\" \\\\ word\\n\\u00e9\"}";
    assertThat(FrameScanner.stringField(s, "\"message\":", 0, s.length()))
        .isEqualTo("a \"quoted\" \\ word\n\u00e9");
    assertThat(FrameScanner.stringField("{\"m\":\"open", "\"m\":", 0, 10)).isNull();
    assertThat(FrameScanner.stringField("{\"m\":1}", "\"m\":", 0, 7)).isNull();
  }

  @Test
  void splitsABatchFrameIntoMessages() {
    String frame =
        " [ {\"type\":\"change\",\"seq\":1,\"row\":{\"s\":\"a]},[\\\"\"}} ,"
            + " {\"type\":\"change\",\"seq\":2} ]";
    List<String> parts = new ArrayList<>();
    int n =
        FrameScanner.forEachMessage(
            frame, 0, frame.length(), (s, from, to) -> parts.add(s.substring(from, to)));
    assertThat(n).isEqualTo(2);
    assertThat(parts.get(0))
        .isEqualTo("{\"type\":\"change\",\"seq\":1,\"row\":{\"s\":\"a]},[\\\"\"}}");
    assertThat(parts.get(1)).isEqualTo("{\"type\":\"change\",\"seq\":2}");
  }

  @Test
  void anEscapedBackslashBeforeAQuoteEndsTheString() {
    String frame = "[{\"s\":\"a\\\\\"},{\"t\":\"q\\\"\"}]";
    List<String> parts = new ArrayList<>();
    assertThat(
            FrameScanner.forEachMessage(
                frame, 0, frame.length(), (s, f, t) -> parts.add(s.substring(f, t))))
        .isEqualTo(2);
    assertThat(parts).containsExactly("{\"s\":\"a\\\\\"}", "{\"t\":\"q\\\"\"}");
  }

  @Test
  void aFrameThatIsNotAnArrayIsOneMessage() {
    List<String> parts = new ArrayList<>();
    int n =
        FrameScanner.forEachMessage(
            CHANGE, 0, CHANGE.length(), (s, from, to) -> parts.add(s.substring(from, to)));
    assertThat(n).isEqualTo(1);
    assertThat(parts).containsExactly(CHANGE);
  }

  @Test
  void aMalformedArrayIsReported() {
    String frame = "[{\"a\":1},{\"b\":";
    List<String> parts = new ArrayList<>();
    assertThat(
            FrameScanner.forEachMessage(
                frame, 0, frame.length(), (s, f, t) -> parts.add(s.substring(f, t))))
        .isEqualTo(-1);
    assertThat(parts).containsExactly("{\"a\":1}");
    assertThat(FrameScanner.forEachMessage("[]", 0, 2, (s, f, t) -> parts.add("x"))).isZero();
  }
}
