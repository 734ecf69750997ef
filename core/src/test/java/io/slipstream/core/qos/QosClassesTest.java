package io.slipstream.core.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The class precedence of docs/protocol.md §5 and the bounds of a node's set of classes. */
class QosClassesTest {

  private static final BufferLimits SMALL =
      new BufferLimits(100, 1 << 20, 0.5, 0.9, DropPolicy.DROP_OLDEST);

  private final QosClass standard =
      new QosClass(QosClass.STANDARD, BufferLimits.DEFAULTS, 5_000, 0, true);
  private final QosClass realtime = new QosClass("realtime", SMALL, 1_000, 0, true);
  private final QosClass bulk = new QosClass("bulk", BufferLimits.DEFAULTS, 30_000, 200, false);
  private final QosClasses classes = QosClasses.of(standard, List.of(realtime, bulk));

  @Test
  void theKeptClassWinsThenTheClaimThenAnAskableAskThenStandard() {
    assertThat(classes.choose("bulk", "realtime", "realtime")).isEqualTo(bulk);
    assertThat(classes.choose(null, "bulk", "realtime")).isEqualTo(bulk);
    assertThat(classes.choose(null, null, "realtime")).isEqualTo(realtime);
    assertThat(classes.choose(null, null, null)).isEqualTo(standard);
  }

  @Test
  void aClassThatMayNotBeAskedForIsReachedOnlyByClaimOrOperator() {
    assertThat(classes.choose(null, null, "bulk")).isEqualTo(standard);
    assertThat(classes.choose(null, "bulk", null)).isEqualTo(bulk);
    assertThat(classes.choose("bulk", null, null)).isEqualTo(bulk);
  }

  @Test
  void unknownNamesFallThroughNeverFail() {
    assertThat(classes.choose("gone", "nope", "realtime")).isEqualTo(realtime);
    assertThat(classes.choose("gone", "nope", "what")).isEqualTo(standard);
  }

  @Test
  void aConfiguredStandardReplacesTheNodeDefault() {
    QosClass mine = new QosClass(QosClass.STANDARD, SMALL, 2_000, 50, true);
    QosClasses c = QosClasses.of(standard, List.of(mine, bulk));
    assertThat(c.standard()).isEqualTo(mine);
    assertThat(c.all()).containsExactly(mine, bulk);
  }

  @Test
  void namesAreUniqueAndTheSetIsBounded() {
    assertThatThrownBy(() -> QosClasses.of(standard, List.of(bulk, bulk)))
        .hasMessageContaining("bulk is given twice");
    List<QosClass> many = new ArrayList<>();
    for (int i = 0; i < QosClasses.MAX_CLASSES; i++) {
      many.add(new QosClass("c" + i, SMALL, 0, 0, true));
    }
    assertThatThrownBy(() -> QosClasses.of(standard, many)).hasMessageContaining("at most 64");
    assertThat(QosClasses.of(standard, many.subList(0, QosClasses.MAX_CLASSES - 1)).all())
        .hasSize(QosClasses.MAX_CLASSES);
  }

  @Test
  void badNamesAndRatesAreRefusedNamingTheRule() {
    assertThatThrownBy(() -> new QosClass("Real Time", SMALL, 0, 0, true))
        .hasMessageContaining("a-z, 0-9 and -");
    assertThatThrownBy(() -> new QosClass("x", SMALL, 0, -1, true))
        .hasMessageContaining("rate must be 0 to");
    assertThat(QosClass.isValidName("a".repeat(32))).isTrue();
    assertThat(QosClass.isValidName("a".repeat(33))).isFalse();
  }
}
