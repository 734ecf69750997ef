package io.slipstream.core.buffer;

import static io.slipstream.core.buffer.RecordingSink.change;
import static io.slipstream.core.buffer.RecordingSink.dropped;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.FakeClock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Budget shedding ({@link ClientBuffer#shed}) by example: under every policy the oldest live events
 * go first, only as many as the asked bytes need, each named by a {@code dropped} marker of reason
 * {@code budget} where it stood (docs/protocol.md §6); {@link DropPolicyProperties} covers the
 * random cases.
 */
class ClientBufferShedTest {

  private final FakeClock clock = new FakeClock();
  private final RecordingSink sink = new RecordingSink();

  private static ChangeEvent event(String topic, long seq, int size) {
    return new ChangeEvent(
        topic, "e", seq, ChangeOp.UPDATE, "k" + seq, "{}", 0, e -> new byte[size]);
  }

  private ClientBuffer buffer(DropPolicy policy) {
    return new ClientBuffer(new BufferLimits(100, 1L << 20, 0.5, 0.9, policy), clock);
  }

  @ParameterizedTest
  @EnumSource(DropPolicy.class)
  void shedsTheOldestEventsUntilTheAskedBytesAreFreed(DropPolicy policy) {
    ClientBuffer b = buffer(policy);
    for (long s = 1; s <= 5; s++) {
      b.offer(event("a", s, 1_000));
      b.offer(event("b", s, 1_000));
    }
    // a1, b1, a2 must go (3,000 bytes), their markers come back (2 × 128): 2,744 freed.
    long freed = b.shed(2_500, DropReason.BUDGET);
    b.checkInvariants();
    assertThat(freed).isEqualTo(3 * 1_000 - 2 * ClientBuffer.MARKER_BYTES);
    assertThat(b.droppedEvents(DropReason.BUDGET)).isEqualTo(3);
    assertThat(b.droppedEvents()).isEqualTo(3);
    assertThat(sink.drain(b, 20))
        .containsExactly(
            dropped("a", 1, 2, DropReason.BUDGET),
            dropped("b", 1, 1, DropReason.BUDGET),
            change("b", 2),
            change("a", 3),
            change("b", 3),
            change("a", 4),
            change("b", 4),
            change("a", 5),
            change("b", 5));
  }

  @ParameterizedTest
  @EnumSource(DropPolicy.class)
  void anEmptyBufferShedsNothing(DropPolicy policy) {
    ClientBuffer b = buffer(policy);
    assertThat(b.shed(1_000, DropReason.BUDGET)).isZero();
    b.checkInvariants();
    assertThat(b.isEmpty()).isTrue();
  }

  /** A shed marker never merges with a policy's own: the client learns why each seq is missing. */
  @Test
  void budgetAndBufferMarkersOfOneTopicStayApart() {
    ClientBuffer b =
        new ClientBuffer(new BufferLimits(3, 1L << 20, 0.5, 0.9, DropPolicy.DROP_OLDEST), clock);
    for (long s = 1; s <= 4; s++) {
      b.offer(event("t", s, 500)); // the 4th drops 1 and 2 (one for the marker's entry)
    }
    assertThat(b.shed(1, DropReason.BUDGET)).isEqualTo(500 - ClientBuffer.MARKER_BYTES);
    b.checkInvariants();
    assertThat(sink.drain(b, 10))
        .containsExactly(
            dropped("t", 1, 2, DropReason.BUFFER_FULL),
            dropped("t", 3, 3, DropReason.BUDGET),
            change("t", 4));
  }
}
