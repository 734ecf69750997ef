package io.slipstream.core.buffer;

import static io.slipstream.core.buffer.RecordingSink.change;
import static io.slipstream.core.buffer.RecordingSink.dropped;
import static io.slipstream.core.buffer.RecordingSink.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.FakeClock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One worked example per policy that drops from anywhere in the stream ({@code conflate}, {@code
 * by-age}, {@code priority}, {@code sample}), spelling out what a stalled client receives
 * (docs/protocol.md §6); {@link DropPolicyProperties} covers the random cases.
 */
class DropPolicyExamplesTest {

  private final FakeClock clock = new FakeClock();
  private final RecordingSink sink = new RecordingSink();

  private static ChangeEvent keyed(String topic, long seq, String key) {
    return new ChangeEvent(
        topic, "e", seq, ChangeOp.UPDATE, key, "{\"v\":" + seq + "}", 0, e -> new byte[10]);
  }

  private ClientBuffer buffer(int max, DropPolicy policy) {
    return new ClientBuffer(new BufferLimits(max, 1L << 20, 0.5, 0.9, policy), clock);
  }

  private void offer(ClientBuffer b, ChangeEvent e, OfferOutcome expected) {
    assertThat(b.offer(e)).as("offer %s", e).isEqualTo(expected);
    b.checkInvariants();
  }

  @Test
  void conflateCompactsAFullBufferToTheNewestValueOfEachKey() {
    ClientBuffer b = buffer(4, DropPolicy.CONFLATE);
    offer(b, keyed("t", 1, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("t", 2, "b"), OfferOutcome.ACCEPTED);
    offer(b, keyed("t", 3, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("t", 4, "b"), OfferOutcome.ACCEPTED);
    // Full: 1 and 2 are replaced by 3 and 4; the marker takes one of the two entries freed.
    offer(b, keyed("t", 5, "a"), OfferOutcome.ACCEPTED);
    assertThat(b.droppedEvents()).isZero();
    assertThat(sink.drain(b, 10))
        .containsExactly(run("t", 1, 4, 2), change("t", 3), change("t", 4), change("t", 5));
  }

  @Test
  void conflateExtendsItsRunAndLeavesSurvivorsOfASentRunAlone() {
    ClientBuffer b = buffer(4, DropPolicy.CONFLATE);
    for (long s = 1; s <= 4; s++) {
      offer(b, keyed("t", s, s % 2 == 0 ? "b" : "a"), OfferOutcome.ACCEPTED);
    }
    offer(b, keyed("t", 5, "a"), OfferOutcome.ACCEPTED); // [run 1..4][3][4][5]
    // Full again: 3 is replaced by 5, the run grows to 5 (6 is newer than the compaction).
    offer(b, keyed("t", 6, "b"), OfferOutcome.ACCEPTED);
    sink.take(b, 1); // the run's marker is sent: 4 and 5 must now come, or be named dropped
    offer(b, keyed("t", 7, "a"), OfferOutcome.ACCEPTED);
    // Full: 5 is replaced by 7, but it belongs to the sent run; nothing else repeats a key.
    offer(b, keyed("t", 8, "b"), OfferOutcome.DROPPED);
    assertThat(sink.drain(b, 10))
        .containsExactly(
            run("t", 1, 5, 3), dropped("t", 4, 5), change("t", 6), change("t", 7), change("t", 8));
  }

  /** The key index keeps keys whose event left (no map node per event) but stays bounded. */
  @Test
  void conflateForgetsKeysThatLeftOnceTheyPileUp() {
    ClientBuffer b = buffer(10, DropPolicy.CONFLATE);
    offer(b, keyed("t", 1, "k1"), OfferOutcome.ACCEPTED);
    for (long s = 2; s <= 1_000; s++) {
      offer(b, keyed("t", s, "k" + s), OfferOutcome.ACCEPTED);
      sink.take(b, 1); // checks the index's bound after every step
    }
    assertThat(sink.drain(b, 10)).hasSize(1_000);
  }

  @Test
  void conflateFallsBackToDropOldestWhenEveryKeyIsDistinct() {
    ClientBuffer b = buffer(3, DropPolicy.CONFLATE);
    offer(b, keyed("t", 1, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("t", 2, "b"), OfferOutcome.ACCEPTED);
    offer(b, keyed("t", 3, "c"), OfferOutcome.ACCEPTED);
    offer(b, keyed("t", 4, "d"), OfferOutcome.DROPPED);
    assertThat(sink.drain(b, 10))
        .containsExactly(dropped("t", 1, 2), change("t", 3), change("t", 4));
  }

  @Test
  void byAgeDropsWhatWaitedTooLongAtAnyFillAndNeverHandsItOut() {
    BufferLimits limits =
        new BufferLimits(100, 1L << 20, 0.5, 0.9, DropPolicy.BY_AGE, 100, TopicPriorities.NONE);
    ClientBuffer b = new ClientBuffer(limits, clock);
    offer(b, keyed("t", 1, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("t", 2, "a"), OfferOutcome.ACCEPTED);
    clock.advance(101);
    offer(b, keyed("t", 3, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("t", 4, "a"), OfferOutcome.ACCEPTED);
    clock.advance(50);
    sink.take(b, 2);
    clock.advance(51); // 4 is now 101 ms old: dropped when the client next reads
    assertThat(sink.drain(b, 10))
        .containsExactly(
            dropped("t", 1, 2, DropReason.AGE), change("t", 3), dropped("t", 4, 4, DropReason.AGE));
  }

  @Test
  void byAgeMarkersAreNotMergedWithFullBufferMarkers() {
    BufferLimits limits =
        new BufferLimits(3, 1L << 20, 0.5, 0.9, DropPolicy.BY_AGE, 100, TopicPriorities.NONE);
    ClientBuffer b = new ClientBuffer(limits, clock);
    offer(b, keyed("t", 1, "a"), OfferOutcome.ACCEPTED);
    clock.advance(101);
    offer(b, keyed("t", 2, "a"), OfferOutcome.ACCEPTED); // 1 aged: [age 1][2]
    offer(b, keyed("t", 3, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("t", 4, "a"), OfferOutcome.DROPPED); // full: 2 and 3 go, reason buffer
    assertThat(sink.drain(b, 10))
        .containsExactly(dropped("t", 1, 1, DropReason.AGE), dropped("t", 2, 3), change("t", 4));
  }

  @Test
  void priorityDropsTheLowestPriorityTopicsOldestFirst() {
    Map<String, Integer> rules = new LinkedHashMap<>();
    rules.put("hi", 10);
    rules.put("lo*", -1);
    BufferLimits limits =
        new BufferLimits(
            4, 1L << 20, 0.5, 0.9, DropPolicy.PRIORITY, 100, TopicPriorities.of(rules));
    ClientBuffer b = new ClientBuffer(limits, clock);
    offer(b, keyed("hi", 1, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("low", 1, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("low", 2, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("hi", 2, "a"), OfferOutcome.ACCEPTED);
    offer(b, keyed("hi", 3, "a"), OfferOutcome.DROPPED);
    assertThat(sink.drain(b, 10))
        .containsExactly(
            change("hi", 1),
            dropped("low", 1, 2, DropReason.PRIORITY),
            change("hi", 2),
            change("hi", 3));
  }

  @Test
  void sampleThinsTheFullestTopicToEverySecondEventKeepingItsNewest() {
    ClientBuffer b = buffer(5, DropPolicy.SAMPLE);
    for (long s = 1; s <= 5; s++) {
      offer(b, keyed("t", s, "a"), OfferOutcome.ACCEPTED);
    }
    offer(b, keyed("u", 1, "a"), OfferOutcome.DROPPED);
    // First pass: [s 1][2][s 3][4][5], no entry freed; second: 2 joins its neighbours.
    assertThat(sink.drain(b, 10))
        .containsExactly(
            dropped("t", 1, 3, DropReason.SAMPLED), change("t", 4), change("t", 5), change("u", 1));
  }

  @Test
  void topicPrioritiesMatchTheFirstPatternAndValidate() {
    Map<String, Integer> rules = new LinkedHashMap<>();
    rules.put("orders.eu", 5);
    rules.put("orders.*", 3);
    rules.put("*telemetry", -2);
    TopicPriorities p = TopicPriorities.of(rules);
    assertThat(p.priorityOf("orders.eu")).isEqualTo(5);
    assertThat(p.priorityOf("orders.us")).isEqualTo(3);
    assertThat(p.priorityOf("car.telemetry")).isEqualTo(-2);
    assertThat(p.priorityOf("prices")).isEqualTo(TopicPriorities.DEFAULT_PRIORITY);
    assertThatThrownBy(() -> TopicPriorities.of(Map.of("bad topic", 1)))
        .hasMessageStartingWith("buffer.priorities");
    assertThatThrownBy(
            () -> new BufferLimits(1, 1, 0.5, 0.9, DropPolicy.BY_AGE, 0, TopicPriorities.NONE))
        .hasMessageStartingWith("buffer.maxAgeMs ");
  }
}
