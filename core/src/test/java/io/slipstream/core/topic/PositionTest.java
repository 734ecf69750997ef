package io.slipstream.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link Position} and {@link TopicView#position()}. */
class PositionTest {

  @Test
  void validation() {
    assertThatThrownBy(() -> new Position(null, 0)).hasMessageContaining("epoch");
    assertThatThrownBy(() -> new Position("e", -1)).hasMessageContaining("seq");
    assertThat(new Position("e", 0).seq()).isZero();
  }

  @Test
  void viewStandsAtItsPosition() {
    assertThat(new TopicView("e", 7, RowMap.EMPTY).position()).isEqualTo(new Position("e", 7));
  }
}
