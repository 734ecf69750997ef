package io.slipstream.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ChangeRequest#check}: each violation code, the first one wins in the order op, key, row,
 * and every message names its field; and the constructor's guard against unchecked input.
 */
class ChangeRequestTest {

  private static Violation violation(
      String op, String key, boolean rowPresent, boolean rowIsObject) {
    Optional<Violation> v = ChangeRequest.check(op, key, rowPresent, rowIsObject);
    assertThat(v).as("check(%s, %s, %s, %s)", op, key, rowPresent, rowIsObject).isPresent();
    return v.get();
  }

  @Test
  void validChangesPass() {
    assertThat(ChangeRequest.check("INSERT", "k", true, true)).isEmpty();
    assertThat(ChangeRequest.check("UPDATE", "k", true, true)).isEmpty();
    assertThat(ChangeRequest.check("DELETE", "k", false, false)).isEmpty();
    assertThat(ChangeRequest.check("INSERT", "k".repeat(256), true, true)).isEmpty();
    assertThat(ChangeRequest.check("DELETE", " ", false, false)).as("any non-empty key").isEmpty();
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "insert", "Insert", "UPSERT", " INSERT", "INSERT ", "DEL"})
  void badOp(String op) {
    Violation v = violation(op, "k", true, true);
    assertThat(v.code()).isEqualTo(ErrorCode.BAD_OP);
    assertThat(v.message()).startsWith("op ").contains("INSERT, UPDATE or DELETE");
    assertThat(v.message()).contains(op == null ? "missing" : "'" + op + "'");
  }

  @Test
  void badKey() {
    for (String key : new String[] {null, "", "k".repeat(257)}) {
      Violation v = violation("UPDATE", key, true, true);
      assertThat(v.code()).isEqualTo(ErrorCode.BAD_KEY);
      assertThat(v.message()).startsWith("key ").contains("1..256");
    }
    assertThat(violation("UPDATE", null, true, true).message()).contains("missing");
    assertThat(violation("UPDATE", "k".repeat(257), true, true).message()).contains("(257 chars)");
  }

  @Test
  void badRow() {
    Violation missing = violation("INSERT", "k", false, false);
    assertThat(missing.code()).isEqualTo(ErrorCode.BAD_ROW);
    assertThat(missing.message()).startsWith("row ").contains("INSERT");
    assertThat(violation("UPDATE", "k", false, true).message())
        .startsWith("row ")
        .contains("UPDATE");

    Violation notObject = violation("UPDATE", "k", true, false);
    assertThat(notObject.code()).isEqualTo(ErrorCode.BAD_ROW);
    assertThat(notObject.message()).startsWith("row ").contains("JSON object");

    Violation onDelete = violation("DELETE", "k", true, true);
    assertThat(onDelete.code()).isEqualTo(ErrorCode.BAD_ROW);
    assertThat(onDelete.message()).startsWith("row ").contains("DELETE");
    assertThat(violation("DELETE", "k", true, false).code()).isEqualTo(ErrorCode.BAD_ROW);
  }

  @Test
  void firstViolationWinsInFieldOrder() {
    assertThat(violation("nope", "", false, false).code()).isEqualTo(ErrorCode.BAD_OP);
    assertThat(violation("INSERT", "", false, false).code()).isEqualTo(ErrorCode.BAD_KEY);
    assertThat(violation("DELETE", null, true, true).code()).isEqualTo(ErrorCode.BAD_KEY);
  }

  @Test
  void isValidKeyBounds() {
    assertThat(ChangeRequest.MAX_KEY_LENGTH).isEqualTo(256);
    assertThat(ChangeRequest.isValidKey(null)).isFalse();
    assertThat(ChangeRequest.isValidKey("")).isFalse();
    assertThat(ChangeRequest.isValidKey("k")).isTrue();
    assertThat(ChangeRequest.isValidKey("k".repeat(256))).isTrue();
    assertThat(ChangeRequest.isValidKey("k".repeat(257))).isFalse();
  }

  @Test
  void constructorRejectsUncheckedInputNamingTheField() {
    assertThatThrownBy(() -> new ChangeRequest(null, "k", "{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("op");
    assertThatThrownBy(() -> new ChangeRequest(ChangeOp.INSERT, "", "{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> new ChangeRequest(ChangeOp.INSERT, "k".repeat(257), "{}"))
        .hasMessageContaining("key");
    assertThatThrownBy(() -> new ChangeRequest(ChangeOp.UPDATE, "k", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row");
    assertThatThrownBy(() -> new ChangeRequest(ChangeOp.DELETE, "k", "{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row");
    assertThat(new ChangeRequest(ChangeOp.DELETE, "k", null).row()).isNull();
  }
}
