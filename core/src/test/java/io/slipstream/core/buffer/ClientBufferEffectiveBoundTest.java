package io.slipstream.core.buffer;

import static io.slipstream.core.buffer.BufferEvents.event;
import static io.slipstream.core.buffer.BufferEvents.limits;
import static io.slipstream.core.buffer.BufferEvents.offer;
import static io.slipstream.core.buffer.RecordingSink.change;
import static io.slipstream.core.buffer.RecordingSink.dropped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.time.FakeClock;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * Worked examples of {@link ClientBuffer#effectiveMax}, the bound an adaptive QoS class moves
 * (docs/protocol.md §6): a shrink below what is queued drops nothing at once, the policy then acts
 * on each new event so the queue never grows past what it held, and the queue falls to the bound as
 * the client reads; a grow gives room at once; the fill and thresholds follow the effective bound.
 */
class ClientBufferEffectiveBoundTest {

  private static final long ROOMY = 1_000_000;

  private final FakeClock clock = new FakeClock();
  private final RecordingSink sink = new RecordingSink();

  @Test
  void aShrinkBelowPendingDropsNothingThenDropOldestKeepsTheQueueFromGrowingUntilItFits() {
    ClientBuffer b = new ClientBuffer(limits(10, ROOMY, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    offer(b, "t", 1, 8);

    b.effectiveMax(4);
    b.checkInvariants();
    assertThat(b.droppedEvents()).as("nothing is dropped at the moment of shrinking").isZero();
    assertThat(b.pending()).isEqualTo(8);
    assertThat(b.effectiveMaxEvents()).isEqualTo(4);
    assertThat(b.fill()).as("over the effective bound, at most 1").isEqualTo(1.0);

    // Full at what it holds: the oldest go (a marker takes one slot), the queue stays at 8.
    offer(b, "t", 9, 9);
    assertThat(b.droppedEvents()).isEqualTo(2);
    assertThat(b.pending()).isEqualTo(8);
    offer(b, "t", 10, 10);
    assertThat(b.droppedEvents()).as("the next one merges into the marker").isEqualTo(3);
    assertThat(b.pending()).isEqualTo(8);

    sink.take(b, 4);
    assertThat(b.pending()).as("the client read down to the bound").isEqualTo(4);
    offer(b, "t", 11, 11);
    assertThat(b.pending()).as("from now on the bound itself binds").isEqualTo(4);
    assertThat(sink.drain(b, 100))
        .as("every seq accounted for, in order")
        .containsExactly(
            dropped("t", 1, 3),
            change("t", 4),
            change("t", 5),
            change("t", 6),
            dropped("t", 7, 8),
            change("t", 9),
            change("t", 10),
            change("t", 11));
  }

  @Test
  void theExcessOverAShrunkBoundOnlyFallsAsTheClientReads() {
    ClientBuffer b = new ClientBuffer(limits(10, ROOMY, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    offer(b, "t", 1, 9);
    b.effectiveMax(2);
    sink.take(b, 3);
    assertThat(b.pending()).isEqualTo(6);
    // Six fit now (they were queued), a seventh never again.
    offer(b, "t", 10, 20);
    assertThat(b.pending()).isEqualTo(6);
    sink.take(b, 1);
    offer(b, "t", 21, 30);
    assertThat(b.pending()).as("fell with the read, stays fallen").isEqualTo(5);
  }

  @Test
  void dropNewestKeepsWhatWasQueuedAndDropsWhatComesAfterAShrink() {
    ClientBuffer b = new ClientBuffer(limits(10, ROOMY, 0.5, 0.8, DropPolicy.DROP_NEWEST), clock);
    offer(b, "t", 1, 6);
    b.effectiveMax(3);
    assertThat(b.droppedEvents()).isZero();
    offer(b, "t", 7, 9);
    assertThat(b.pending()).as("a marker took the newest's place: never more than 6").isEqualTo(6);
    assertThat(sink.drain(b, 100))
        .containsExactly(
            change("t", 1),
            change("t", 2),
            change("t", 3),
            change("t", 4),
            change("t", 5),
            dropped("t", 6, 9));
    assertThat(b.droppedEvents()).isEqualTo(4);
  }

  @Test
  void disconnectRefusesTheNextEventOverAShrunkBound() {
    ClientBuffer b = new ClientBuffer(limits(10, ROOMY, 0.5, 0.8, DropPolicy.DISCONNECT), clock);
    offer(b, "t", 1, 5);
    b.effectiveMax(5);
    assertThat(b.offer(event("t", 6))).isEqualTo(OfferOutcome.DISCONNECT);
    assertThat(b.droppedEvents()).isZero();
    b.checkInvariants();
  }

  @Test
  void aGrowGivesRoomAtOnce() {
    ClientBuffer b = new ClientBuffer(limits(10, ROOMY, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    b.effectiveMax(4);
    offer(b, "t", 1, 4);
    assertThat(b.fill()).isEqualTo(1.0);
    b.effectiveMax(8);
    assertThat(b.fill()).isEqualTo(0.5);
    offer(b, "t", 5, 8);
    assertThat(b.droppedEvents()).isZero();
    assertThat(b.pending()).isEqualTo(8);
  }

  @Test
  void theThresholdsFollowTheEffectiveBound() {
    ClientBuffer b = new ClientBuffer(limits(10, ROOMY, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    offer(b, "t", 1, 3);
    assertThat(b.takeWarning()).as("0.3 of 10").isFalse();
    b.effectiveMax(4);
    assertThat(b.fill()).isEqualTo(0.75);
    assertThat(b.takeWarning()).as("0.75 of 4: past warn, at the shrink itself").isTrue();
    assertThat(b.overDisconnectSince()).isEqualTo(-1);
    b.effectiveMax(3);
    assertThat(b.overDisconnectSince())
        .as("full over 3: the sustain timer runs")
        .isEqualTo(clock.millis());
  }

  @Test
  void theByteBoundScalesInProportionAndANewClassRestoresTheFullBound() {
    ClientBuffer b = new ClientBuffer(limits(3, 1000, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    b.effectiveMax(2);
    assertThat(b.effectiveMaxBytes()).as("ceil(1000 * 2 / 3)").isEqualTo(667);
    b.effectiveMax(1);
    assertThat(b.effectiveMaxBytes()).isEqualTo(334);
    offer(b, "t", 1, 1);
    b.retarget(limits(6, 2000, 0.5, 0.8, DropPolicy.DROP_OLDEST));
    assertThat(b.effectiveMaxEvents()).isEqualTo(6);
    assertThat(b.effectiveMaxBytes()).isEqualTo(2000);
    b.checkInvariants();

    long huge = Long.MAX_VALUE;
    ClientBuffer big =
        new ClientBuffer(limits(16_600, huge, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    big.effectiveMax(16_599);
    BigInteger exact =
        BigInteger.valueOf(huge)
            .multiply(BigInteger.valueOf(16_599))
            .add(BigInteger.valueOf(16_599))
            .divide(BigInteger.valueOf(16_600));
    assertThat(big.effectiveMaxBytes()).as("no overflow").isEqualTo(exact.longValueExact());
  }

  @Test
  void anEffectiveBoundOutsideOneToTheClassMaxIsABug() {
    ClientBuffer b = new ClientBuffer(limits(10, ROOMY, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    assertThatThrownBy(() -> b.effectiveMax(0)).hasMessageContaining("1 to buffer.max (10)");
    assertThatThrownBy(() -> b.effectiveMax(11)).hasMessageContaining("was 11");
  }
}
