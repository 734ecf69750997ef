package io.slipstream.core.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.DropPolicy;
import org.junit.jupiter.api.Test;

/** The effective bound of an adaptive class: its target delay at the drain rate, clamped. */
class AdaptiveBufferTest {

  private final AdaptiveBuffer twoSeconds = new AdaptiveBuffer(64, 2_000);

  @Test
  void holdsTheTargetDelayAtTheDrainRateBetweenMinAndMax() {
    assertThat(twoSeconds.bound(100, 16_600)).as("2 s at 100/s").isEqualTo(200);
    assertThat(twoSeconds.bound(100.2, 16_600)).as("rounded up").isEqualTo(201);
    assertThat(twoSeconds.bound(10, 16_600)).as("never below min").isEqualTo(64);
    assertThat(twoSeconds.bound(0, 16_600)).as("a stalled client gets min").isEqualTo(64);
    assertThat(twoSeconds.bound(20_000, 16_600)).as("never above max").isEqualTo(16_600);
    assertThat(twoSeconds.bound(1e300, 16_600)).as("no overflow").isEqualTo(16_600);
    assertThat(twoSeconds.bound(Double.NaN, 16_600)).as("not measured yet: max").isEqualTo(16_600);
    assertThat(twoSeconds.bound(0, 50)).as("min above a smaller max: max").isEqualTo(50);
  }

  @Test
  void refusesBoundsThatMeanNothingNamingTheKey() {
    assertThatThrownBy(() -> new AdaptiveBuffer(0, 2_000)).hasMessageStartingWith("adaptive.min");
    assertThatThrownBy(() -> new AdaptiveBuffer(1, 0))
        .hasMessageStartingWith("adaptive.targetDelayMs");
    BufferLimits small = new BufferLimits(50, 1 << 20, 0.5, 0.9, DropPolicy.DROP_OLDEST);
    assertThatThrownBy(() -> new QosClass("x", small, 0, 0, true, false, twoSeconds))
        .hasMessage("adaptive.min must be at most max (50), was 64");
    QosClass fixed = new QosClass("x", small, 0, 0, true);
    assertThat(fixed.adaptive()).isNull();
    assertThat(fixed.isAdaptive()).isFalse();
  }
}
