package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.qos.AdaptiveBuffer;
import io.slipstream.core.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * How an adaptive connection's bound follows its drain (docs/protocol.md §6): measured only over
 * ticks in which the buffer never ran empty, averaged, and turned into {@code targetDelayMs} of
 * that rate between the class's {@code min} and {@code max}. On a fake drain and a fake clock.
 */
class AdaptiveBoundTest {

  private static final int MAX = 10_000;

  /** A drain the test moves by hand. */
  private static final class FakeDrain implements AdaptiveBound.Drain {
    long drained;
    boolean saturated;

    @Override
    public long drained() {
      return drained;
    }

    @Override
    public boolean takeSaturated() {
      return saturated;
    }
  }

  private long now = 1_000;
  private final Clock clock = () -> now;
  private final FakeDrain drain = new FakeDrain();
  private final ClientBuffer buffer =
      new ClientBuffer(new BufferLimits(MAX, 1L << 30, 0.8, 0.95, DropPolicy.DROP_OLDEST), clock);
  private int changes;
  private final AdaptiveBound bound = new AdaptiveBound(buffer, drain, clock, () -> changes++);

  /** One tick of {@code ms} in which the client took {@code entries}. */
  private void tick(long ms, long entries, boolean saturated) {
    now += ms;
    drain.drained += entries;
    drain.saturated = saturated;
    bound.tick();
  }

  @Test
  void aClientThatKeepsUpKeepsTheMaxHoweverQuietItsTopics() {
    bound.use(new AdaptiveBuffer(64, 2_000));
    for (int i = 0; i < 10; i++) {
      tick(1_000, i % 2 == 0 ? 0 : 5, false);
    }
    assertThat(buffer.effectiveMaxEvents()).isEqualTo(MAX);
    assertThat(bound.drainPerSec()).as("never measured").isNaN();
    assertThat(changes).isZero();
  }

  @Test
  void aSlowClientGetsItsTargetDelayOfItsDrainRate() {
    bound.use(new AdaptiveBuffer(64, 2_000));
    tick(1_000, 300, true);
    assertThat(buffer.effectiveMaxEvents()).as("2 s at 300/s").isEqualTo(600);
    tick(1_000, 100, true);
    assertThat(bound.drainPerSec()).as("half the last, half the average").isEqualTo(200);
    assertThat(buffer.effectiveMaxEvents()).isEqualTo(400);
    tick(500, 100, true);
    assertThat(buffer.effectiveMaxEvents()).as("per second, whatever the tick").isEqualTo(400);
    assertThat(changes).isEqualTo(2);
  }

  @Test
  void aStalledClientFallsToMinAndGrowsBackWhenItReadsAgain() {
    bound.use(new AdaptiveBuffer(64, 2_000));
    tick(1_000, 1_000, true);
    for (int i = 0; i < 20; i++) {
      tick(1_000, 0, true);
    }
    assertThat(buffer.effectiveMaxEvents()).isEqualTo(64);
    // It reads again and empties its buffer: it took at least that many, so the bound rises.
    tick(1_000, 2_000, false);
    assertThat(buffer.effectiveMaxEvents()).isEqualTo(4_000);
    // A quiet tick after that is no evidence it became slow.
    tick(1_000, 3, false);
    assertThat(buffer.effectiveMaxEvents()).isEqualTo(4_000);
  }

  @Test
  void aFixedClassKeepsItsMaxAndEnteringOneRestoresIt() {
    bound.use(new AdaptiveBuffer(64, 2_000));
    tick(1_000, 10, true);
    assertThat(buffer.effectiveMaxEvents()).isEqualTo(64);
    bound.use(null);
    assertThat(buffer.effectiveMaxEvents()).isEqualTo(MAX);
    tick(1_000, 10, true);
    assertThat(buffer.effectiveMaxEvents()).isEqualTo(MAX);
    assertThat(bound.drainPerSec()).isNaN();
  }
}
