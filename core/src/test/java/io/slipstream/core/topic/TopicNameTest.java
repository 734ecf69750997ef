package io.slipstream.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TopicName}: {@code [A-Za-z0-9._-]{1,128}} (docs/protocol.md §1), and its violation text.
 */
class TopicNameTest {

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  @Test
  void lengthOneTo128() {
    assertThat(TopicName.MAX_LENGTH).isEqualTo(128);
    assertThat(TopicName.isValid("a")).isTrue();
    assertThat(TopicName.isValid("a".repeat(128))).isTrue();
    assertThat(TopicName.isValid("a".repeat(129))).isFalse();
    assertThat(TopicName.isValid("")).isFalse();
    assertThat(TopicName.isValid(null)).isFalse();
  }

  @Test
  void everyCharIsCheckedAgainstTheClass() {
    // All 65,536 UTF-16 code units, alone and in the middle and at the end of a valid name.
    for (int i = 0; i <= Character.MAX_VALUE; i++) {
      char c = (char) i;
      boolean ok = allowed(c);
      assertThat(TopicName.isValid(String.valueOf(c))).as("char U+%04X", i).isEqualTo(ok);
      assertThat(TopicName.isValid("a" + c + "b")).as("char U+%04X inside", i).isEqualTo(ok);
      assertThat(TopicName.isValid("ab" + c)).as("char U+%04X at the end", i).isEqualTo(ok);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "orders",
        "ORDERS",
        "0rders",
        "a.b",
        "a_b",
        "a-b",
        ".",
        "_",
        "-",
        "...",
        "Orders.EU-1_v2",
        "0123456789",
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
      })
  void eachAllowedClassIsValid(String name) {
    assertThat(TopicName.isValid(name)).isTrue();
    assertThat(TopicName.check(name)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a b",
        "a/b",
        "a:b",
        "a@b",
        "a[b",
        "a`b",
        "a{b",
        "a\tb",
        "a\nb",
        "a+b",
        "a*b",
        "a$b",
        "a\"b",
        "a\\b",
        "é",
        "ordérs",
        "Ω",
        "日本",
        "１",
        "ı",
        "\u0660",
        "\u200b",
        "a\u0000b",
        "😀",
        "a\uD800"
      })
  void everythingElseIsRejected(String name) {
    assertThat(TopicName.isValid(name)).isFalse();
    Optional<Violation> v = TopicName.check(name);
    assertThat(v).isPresent();
    assertThat(v.get().code()).isEqualTo(ErrorCode.BAD_TOPIC);
    assertThat(v.get().message()).startsWith("topic ").contains("(" + name.length() + " chars)");
  }

  @Test
  void violationNamesTheFieldAndShowsTheValue() {
    Violation missing = TopicName.check(null).orElseThrow();
    assertThat(missing.code()).isEqualTo(ErrorCode.BAD_TOPIC);
    assertThat(missing.message()).contains("topic").contains("missing");

    Violation empty = TopicName.check("").orElseThrow();
    assertThat(empty.message()).contains("topic").contains("'' (0 chars)");

    Violation tooLong = TopicName.check("x".repeat(129)).orElseThrow();
    assertThat(tooLong.message())
        .contains("topic")
        .contains("'" + "x".repeat(40) + "…'")
        .contains("(129 chars)")
        .doesNotContain("x".repeat(41));
  }
}
