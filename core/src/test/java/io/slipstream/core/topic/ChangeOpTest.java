package io.slipstream.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ChangeOp}: exact wire names only, and which ops carry a row. */
class ChangeOpTest {

  @ParameterizedTest
  @EnumSource(ChangeOp.class)
  void wireNameIsTheConstantName(ChangeOp op) {
    assertThat(ChangeOp.fromWire(op.name())).contains(op);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "insert", "Update", "delete", "UPSERT", " DELETE", "INSERT\n", "0"})
  void anythingElseIsUnknown(String name) {
    assertThat(ChangeOp.fromWire(name)).isEmpty();
  }

  @Test
  void onlyDeleteCarriesNoRow() {
    assertThat(ChangeOp.INSERT.needsRow()).isTrue();
    assertThat(ChangeOp.UPDATE.needsRow()).isTrue();
    assertThat(ChangeOp.DELETE.needsRow()).isFalse();
  }
}
