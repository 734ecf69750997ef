package io.slipstream.core.buffer;

import static io.slipstream.core.buffer.BufferEvents.limits;
import static io.slipstream.core.buffer.BufferEvents.offer;
import static io.slipstream.core.buffer.RecordingSink.change;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.time.FakeClock;
import org.junit.jupiter.api.Test;

/**
 * Worked examples of {@link ClientBuffer#retarget}: a connection moved to another QoS class keeps
 * everything it has queued, and the new limits apply as soon as no policy would have to act on a
 * queue it did not build.
 */
class ClientBufferRetargetTest {

  private final FakeClock clock = new FakeClock();
  private final RecordingSink sink = new RecordingSink();

  @Test
  void largerBoundsOfTheSamePolicyApplyAtOnceToAFullBuffer() {
    ClientBuffer b = new ClientBuffer(limits(4, 1_000_000, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    offer(b, "t", 1, 4);
    assertThat(b.fill()).isEqualTo(1.0);

    b.retarget(limits(8, 1_000_000, 0.5, 0.8, DropPolicy.DROP_OLDEST));
    b.checkInvariants();
    assertThat(b.limits().maxEvents()).isEqualTo(8);
    assertThat(b.fill()).isEqualTo(0.5);
    offer(b, "t", 5, 8);
    assertThat(b.droppedEvents()).as("the room came at once: nothing dropped").isZero();
    assertThat(sink.drain(b, 100))
        .containsExactly(
            change("t", 1), change("t", 2), change("t", 3), change("t", 4),
            change("t", 5), change("t", 6), change("t", 7), change("t", 8));
  }

  @Test
  void smallerBoundsWaitUntilWhatIsQueuedFitsThemAndDropNothingMeanwhile() {
    ClientBuffer b = new ClientBuffer(limits(8, 1_000_000, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    offer(b, "t", 1, 6);
    BufferLimits small = limits(3, 1_000_000, 0.5, 0.8, DropPolicy.DROP_OLDEST);
    b.retarget(small);
    b.checkInvariants();
    assertThat(b.limits().maxEvents()).as("six queued do not fit three").isEqualTo(8);
    assertThat(b.waitingLimits()).isEqualTo(small);

    sink.take(b, 2);
    assertThat(b.limits().maxEvents()).as("four still do not fit").isEqualTo(8);
    sink.take(b, 1);
    assertThat(b.limits()).as("three fit: the small bounds apply").isEqualTo(small);
    assertThat(b.waitingLimits()).isNull();
    assertThat(b.droppedEvents()).isZero();

    offer(b, "t", 7, 7);
    assertThat(b.droppedEvents())
        .as("now the small bound binds: two oldest go, one slot for the marker")
        .isEqualTo(2);
    b.checkInvariants();
  }

  @Test
  void anotherPolicyAppliesOnceTheBufferIsEmptyAndKeepsTheDropCount() {
    ClientBuffer b = new ClientBuffer(limits(3, 1_000_000, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    offer(b, "t", 1, 4); // drops 1 and 2 into a marker (the marker takes a slot)
    long dropped = b.droppedEvents();
    assertThat(dropped).isPositive();
    BufferLimits newest = limits(3, 1_000_000, 0.5, 0.8, DropPolicy.DROP_NEWEST);
    b.retarget(newest);
    assertThat(b.limits().policy()).isEqualTo(DropPolicy.DROP_OLDEST);

    sink.drain(b, 100);
    assertThat(b.limits()).isEqualTo(newest);
    assertThat(b.droppedEvents()).as("history is kept").isEqualTo(dropped);

    offer(b, "t", 5, 9);
    assertThat(sink.drain(b, 100).get(0))
        .as("drop-newest now: the oldest stays")
        .isEqualTo(change("t", 5));
    b.checkInvariants();
  }

  @Test
  void aLaterRetargetReplacesAWaitingOneAndTheCurrentLimitsCancelIt() {
    ClientBuffer b = new ClientBuffer(limits(8, 1_000_000, 0.5, 0.8, DropPolicy.DROP_OLDEST), clock);
    BufferLimits original = b.limits();
    offer(b, "t", 1, 6);
    b.retarget(limits(3, 1_000_000, 0.5, 0.8, DropPolicy.DROP_OLDEST));
    b.retarget(original);
    assertThat(b.waitingLimits()).isNull();
    sink.drain(b, 100);
    assertThat(b.limits()).isEqualTo(original);
  }

  @Test
  void aLowerWarnOnRetargetWarnsAtOnce() {
    ClientBuffer b = new ClientBuffer(limits(10, 1_000_000, 0.7, 0.9, DropPolicy.DROP_OLDEST), clock);
    offer(b, "t", 1, 5);
    assertThat(b.takeWarning()).isFalse();
    b.retarget(limits(10, 1_000_000, 0.4, 0.9, DropPolicy.DROP_OLDEST));
    assertThat(b.takeWarning()).as("fill 0.5 is past the new warn 0.4").isTrue();
    b.checkInvariants();
  }
}
