package io.slipstream.core.buffer;

import static io.slipstream.core.buffer.BufferEvents.event;
import static io.slipstream.core.buffer.RecordingSink.change;
import static io.slipstream.core.buffer.RecordingSink.dropped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.time.FakeClock;
import org.junit.jupiter.api.Test;

/**
 * Worked examples of {@link ClientBuffer}: the warning and sustain thresholds on a fake clock, each
 * policy at the bound, oversized events, discarding a topic, and {@link BufferLimits}.
 */
class ClientBufferTest {

  private static final long TOLERANCE = ClientBuffer.DIP_TOLERANCE_MS;

  private final FakeClock clock = new FakeClock();
  private final RecordingSink sink = new RecordingSink();

  private static BufferLimits limits(
      int maxEvents, long maxBytes, double warn, double disconnect, DropPolicy policy) {
    return new BufferLimits(maxEvents, maxBytes, warn, disconnect, policy);
  }

  /** Ten events, warn at 5, disconnect at 8; bytes never bind. */
  private ClientBuffer tenEvents(DropPolicy policy) {
    return new ClientBuffer(limits(10, 1_000_000, 0.5, 0.8, policy), clock);
  }

  private static void offer(ClientBuffer b, String topic, long fromSeq, long toSeq) {
    for (long s = fromSeq; s <= toSeq; s++) {
      b.offer(event(topic, s));
      b.checkInvariants();
    }
  }

  private void pollN(ClientBuffer b, int n) {
    for (int i = 0; i < n; i++) {
      assertThat(b.poll(sink)).isTrue();
      b.checkInvariants();
    }
  }

  // ------------------------------------------------------------------ warning

  @Test
  void warningFiresOncePerUpwardCrossingAndRearmsOnlyBelowWarn() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "t", 1, 4);
    assertThat(b.takeWarning()).as("fill 0.4, below warn").isFalse();
    offer(b, "t", 5, 5);
    assertThat(b.takeWarning()).as("fill 0.5 reaches warn").isTrue();
    assertThat(b.takeWarning()).as("one-shot").isFalse();
    offer(b, "t", 6, 10); // up to full: still the same crossing
    assertThat(b.takeWarning()).isFalse();

    pollN(b, 5); // fill 0.5: at warn, not below, so not re-armed
    offer(b, "t", 11, 11);
    assertThat(b.takeWarning()).isFalse();

    pollN(b, 2); // fill 0.4: below, re-armed
    assertThat(b.takeWarning()).isFalse();
    offer(b, "t", 12, 12);
    assertThat(b.takeWarning()).as("second upward crossing").isTrue();
  }

  @Test
  void droppingAtTheBoundDoesNotFireTheWarningAgain() {
    for (DropPolicy policy : new DropPolicy[] {DropPolicy.DROP_OLDEST, DropPolicy.DROP_NEWEST}) {
      ClientBuffer b = tenEvents(policy);
      offer(b, "t", 1, 10);
      assertThat(b.takeWarning()).isTrue();
      offer(b, "t", 11, 30);
      assertThat(b.takeWarning()).as(policy.name()).isFalse();
    }
  }

  @Test
  void warningIsHeldUntilTaken() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "t", 1, 6);
    pollN(b, 6); // crossed up and back down without anyone taking the warning
    assertThat(b.takeWarning()).isTrue();
    assertThat(b.takeWarning()).isFalse();
  }

  @Test
  void warningCountsBytesToo() {
    ClientBuffer b = new ClientBuffer(limits(100, 100, 0.5, 0.9, DropPolicy.DROP_OLDEST), clock);
    b.offer(event("t", 1, 49));
    assertThat(b.takeWarning()).isFalse();
    b.offer(event("t", 2, 1));
    assertThat(b.fill()).isEqualTo(0.5);
    assertThat(b.takeWarning()).isTrue();
  }

  @Test
  void discardAndClearRearmTheWarning() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "a", 1, 5);
    assertThat(b.takeWarning()).isTrue();
    b.discardTopic("a");
    offer(b, "b", 1, 5);
    assertThat(b.takeWarning()).isTrue();
    b.clear();
    offer(b, "b", 6, 10);
    assertThat(b.takeWarning()).isTrue();
  }

  // ------------------------------------------------------------------ sustained disconnect

  @Test
  void sustainedOnlyAfterSustainMsAtOrAboveDisconnect() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    long t0 = clock.millis();
    offer(b, "t", 1, 7);
    assertThat(b.overDisconnectSince()).as("fill 0.7, below disconnect").isEqualTo(-1);
    assertThat(b.sustainedOverDisconnect(0)).isFalse();
    offer(b, "t", 8, 8); // fill exactly 0.8: "at or above"
    assertThat(b.overDisconnectSince()).isEqualTo(t0);
    assertThat(b.sustainedOverDisconnect(0)).isTrue();
    assertThat(b.sustainedOverDisconnect(5_000)).isFalse();

    clock.advance(4_999);
    offer(b, "t", 9, 20); // more, and dropping: the condition does not restart
    assertThat(b.overDisconnectSince()).isEqualTo(t0);
    assertThat(b.sustainedOverDisconnect(5_000)).isFalse();
    clock.advance(1);
    assertThat(b.sustainedOverDisconnect(5_000)).isTrue();
  }

  @Test
  void aStalledFullBufferBecomesSustainedWithoutFurtherEvents() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    long t0 = clock.millis();
    offer(b, "t", 1, 10);
    clock.advance(5_000);
    assertThat(b.overDisconnectSince()).isEqualTo(t0);
    assertThat(b.sustainedOverDisconnect(5_000)).isTrue();
  }

  /**
   * Regression: a buffer that stayed full while events kept arriving less often than every {@link
   * ClientBuffer#DIP_TOLERANCE_MS} restarted its sustain timer on each arrival, because the time
   * between two arrivals was taken for a dip below {@code disconnect}, although nothing had been
   * polled. A stalled client on a quiet topic was therefore never closed with 4001.
   */
  @Test
  void sparseArrivalsIntoAStalledFullBufferDoNotRestartTheSustainTimer() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    long t0 = clock.millis();
    offer(b, "t", 1, 10);
    for (long s = 11; s <= 16; s++) {
      clock.advance(1_000);
      assertThat(b.offer(event("t", s))).isEqualTo(OfferOutcome.DROPPED);
      assertThat(b.overDisconnectSince()).as("after the event at %d s", s - 10).isEqualTo(t0);
    }
    assertThat(b.sustainedOverDisconnect(5_000)).isTrue();

    // The same under drop-newest, where the fill does not move at all.
    ClientBuffer n = tenEvents(DropPolicy.DROP_NEWEST);
    long t1 = clock.millis();
    offer(n, "t", 1, 10);
    for (long s = 11; s <= 16; s++) {
      clock.advance(TOLERANCE + 1);
      n.offer(event("t", s));
    }
    assertThat(n.overDisconnectSince()).isEqualTo(t1);
  }

  @Test
  void aDipLongerThanTheToleranceResetsTheCondition() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    long t0 = clock.millis();
    offer(b, "t", 1, 9);
    clock.advance(3_000);
    pollN(b, 2); // fill 0.7: a dip begins
    clock.advance(TOLERANCE);
    assertThat(b.overDisconnectSince()).as("within the tolerance").isEqualTo(t0);
    clock.advance(1);
    assertThat(b.overDisconnectSince()).as("dip longer than the tolerance").isEqualTo(-1);
    assertThat(b.sustainedOverDisconnect(0)).isFalse();

    offer(b, "t", 10, 10); // back at 0.8: a new condition
    long t1 = clock.millis();
    assertThat(b.overDisconnectSince()).isEqualTo(t1);
    clock.advance(4_999);
    assertThat(b.sustainedOverDisconnect(5_000)).isFalse();
    clock.advance(1);
    assertThat(b.sustainedOverDisconnect(5_000)).isTrue();
  }

  @Test
  void aLongDipEndsTheConditionEvenIfNobodyLookedDuringIt() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "t", 1, 8);
    pollN(b, 1);
    clock.advance(TOLERANCE + 1);
    offer(b, "t", 9, 9); // back up after a long dip, the getter never called in between
    assertThat(b.overDisconnectSince()).isEqualTo(clock.millis());
  }

  /**
   * PROTOCOL.md §9 guarantee 6 as this server reads it: "at or above {@code disconnect} for
   * sustainMs" means without a pause longer than {@link ClientBuffer#DIP_TOLERANCE_MS}; the
   * instant dips of a socket taking a chunk of events are not a pause (docs/protocol.md §13).
   */
  @Test
  void briefDipsOfAChunkedDrainDoNotResetTheCondition() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    long t0 = clock.millis();
    offer(b, "t", 1, 10);
    long seq = 11;
    for (int chunk = 0; chunk < 50; chunk++) {
      pollN(b, 4); // the socket takes a chunk: fill 0.6
      clock.advance(TOLERANCE / 2);
      assertThat(b.overDisconnectSince()).isEqualTo(t0);
      offer(b, "t", seq, seq + 3); // the topic refills it
      seq += 4;
      clock.advance(TOLERANCE / 2);
    }
    assertThat(b.sustainedOverDisconnect(5_000)).isTrue();
  }

  @Test
  void clearEndsTheConditionAtOnce() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "t", 1, 10);
    b.clear();
    assertThat(b.overDisconnectSince()).isEqualTo(-1);
    assertThat(b.isEmpty()).isTrue();
    assertThat(b.pending()).isZero();
    assertThat(b.pendingBytes()).isZero();
  }

  @Test
  void discardingTheTopicThatFilledTheBufferStartsADip() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "a", 1, 8);
    offer(b, "b", 1, 1);
    long t0 = clock.millis();
    b.discardTopic("a");
    assertThat(b.overDisconnectSince()).isEqualTo(t0);
    clock.advance(TOLERANCE + 1);
    assertThat(b.overDisconnectSince()).isEqualTo(-1);
  }

  // ------------------------------------------------------------------ policies at the bound

  @Test
  void dropOldestMergesHeadGapsPerTopicAheadOfEverything() {
    ClientBuffer b = new ClientBuffer(limits(3, 1_000, 0.5, 0.9, DropPolicy.DROP_OLDEST), clock);
    b.offer(event("a", 1));
    b.offer(event("b", 1));
    b.offer(event("a", 2));
    assertThat(b.offer(event("a", 3))).isEqualTo(OfferOutcome.DROPPED); // evicts a1
    assertThat(b.offer(event("b", 2))).isEqualTo(OfferOutcome.DROPPED); // evicts b1
    assertThat(b.offer(event("a", 4))).isEqualTo(OfferOutcome.DROPPED); // evicts a2
    b.checkInvariants();
    assertThat(b.droppedEvents()).isEqualTo(3);
    assertThat(sink.drain(b, 100))
        .containsExactly(
            dropped("a", 1, 2), dropped("b", 1, 1), change("a", 3), change("b", 2), change("a", 4));
    assertThat(b.isEmpty()).isTrue();
  }

  @Test
  void dropNewestMergesWhileAtTheTailAndStartsANewGapAfterAnAcceptedEvent() {
    ClientBuffer b = new ClientBuffer(limits(2, 1_000, 0.4, 0.9, DropPolicy.DROP_NEWEST), clock);
    b.offer(event("a", 1));
    b.offer(event("a", 2));
    assertThat(b.offer(event("a", 3))).isEqualTo(OfferOutcome.DROPPED);
    assertThat(b.offer(event("b", 1))).isEqualTo(OfferOutcome.DROPPED);
    assertThat(b.offer(event("a", 4))).isEqualTo(OfferOutcome.DROPPED); // merges into a3
    pollN(b, 1); // a1
    assertThat(b.offer(event("a", 5))).isEqualTo(OfferOutcome.ACCEPTED);
    assertThat(b.offer(event("a", 6))).isEqualTo(OfferOutcome.DROPPED); // a new gap after a5
    b.checkInvariants();
    assertThat(b.droppedEvents()).isEqualTo(4);
    assertThat(sink.drain(b, 100))
        .containsExactly(
            change("a", 1),
            change("a", 2),
            dropped("a", 3, 4),
            dropped("b", 1, 1),
            change("a", 5),
            dropped("a", 6, 6));
  }

  @Test
  void dropNewestNeverExtendsAGapAlreadyHandedOut() {
    ClientBuffer b = new ClientBuffer(limits(1, 1_000, 0.4, 0.9, DropPolicy.DROP_NEWEST), clock);
    b.offer(event("a", 1));
    b.offer(event("a", 2)); // gap a2 at the tail
    assertThat(sink.drain(b, 2)).containsExactly(change("a", 1), dropped("a", 2, 2));
    b.offer(event("a", 3)); // accepted
    b.offer(event("a", 4)); // a new gap, not an extension of the one handed out
    assertThat(sink.drain(b, 100)).containsExactly(change("a", 3), dropped("a", 4, 4));
    assertThat(sink.received).isEmpty();
  }

  @Test
  void disconnectPolicyRefusesWithoutDroppingOrChangingAnything() {
    ClientBuffer b = new ClientBuffer(limits(2, 10, 0.4, 0.9, DropPolicy.DISCONNECT), clock);
    assertThat(b.offer(event("a", 1, 4))).isEqualTo(OfferOutcome.ACCEPTED);
    assertThat(b.offer(event("a", 2, 7)))
        .as("bytes would exceed")
        .isEqualTo(OfferOutcome.DISCONNECT);
    assertThat(b.offer(event("a", 2, 6))).isEqualTo(OfferOutcome.ACCEPTED);
    assertThat(b.offer(event("a", 3, 1)))
        .as("events would exceed")
        .isEqualTo(OfferOutcome.DISCONNECT);
    assertThat(b.pending()).isEqualTo(2);
    assertThat(b.pendingBytes()).isEqualTo(10);
    assertThat(b.droppedEvents()).isZero();
    assertThat(sink.drain(b, 100)).containsExactly(change("a", 1), change("a", 2));
  }

  @Test
  void eventLargerThanMaxBytesUnderDropOldest() {
    ClientBuffer b = new ClientBuffer(limits(10, 100, 0.5, 0.9, DropPolicy.DROP_OLDEST), clock);
    b.offer(event("a", 1, 30));
    b.offer(event("b", 1, 30));
    assertThat(b.offer(event("a", 2, 101))).isEqualTo(OfferOutcome.DROPPED);
    b.checkInvariants();
    // It can never be delivered; its gap is accounted for and stands before a3. (Today the
    // buffer first evicts everything older, trying to make room that cannot exist.)
    assertThat(b.pendingBytes()).isLessThanOrEqualTo(100);
    assertThat(b.offer(event("a", 3, 100))).isEqualTo(OfferOutcome.ACCEPTED);
    assertThat(b.droppedEvents()).isEqualTo(3);
    assertThat(sink.drain(b, 100))
        .containsExactly(dropped("a", 1, 2), dropped("b", 1, 1), change("a", 3));

    // Into an empty buffer: just its own gap.
    assertThat(b.offer(event("a", 4, 1_000))).isEqualTo(OfferOutcome.DROPPED);
    assertThat(sink.drain(b, 100)).containsExactly(dropped("a", 4, 4));
  }

  @Test
  void eventLargerThanMaxBytesUnderDropNewestLeavesTheRestAlone() {
    ClientBuffer b = new ClientBuffer(limits(10, 100, 0.5, 0.9, DropPolicy.DROP_NEWEST), clock);
    b.offer(event("a", 1, 30));
    assertThat(b.offer(event("a", 2, 101))).isEqualTo(OfferOutcome.DROPPED);
    assertThat(b.offer(event("a", 3, 70))).isEqualTo(OfferOutcome.ACCEPTED);
    assertThat(sink.drain(b, 100))
        .containsExactly(change("a", 1), dropped("a", 2, 2), change("a", 3));
  }

  @Test
  void discardTopicRemovesItsEventsAndGapsAndKeepsTheRestInOrder() {
    for (DropPolicy policy : new DropPolicy[] {DropPolicy.DROP_OLDEST, DropPolicy.DROP_NEWEST}) {
      ClientBuffer b = new ClientBuffer(limits(3, 1_000, 0.5, 0.9, policy), clock);
      b.offer(event("a", 1));
      b.offer(event("b", 1));
      b.offer(event("a", 2));
      b.offer(event("a", 3)); // a gap of a (a1 or a3)
      b.offer(event("b", 2)); // a gap of b1 or b2
      long dropped = b.droppedEvents();
      b.discardTopic("a");
      b.checkInvariants();
      assertThat(b.droppedEvents()).as("history is not rewritten").isEqualTo(dropped);
      assertThat(sink.drain(b, 100))
          .as(policy.name())
          .allSatisfy(r -> assertThat(r.toString()).doesNotContain("topic=a"))
          .isNotEmpty();
      b.discardTopic("nobody");
      assertThat(b.isEmpty()).isTrue();
    }
  }

  @Test
  void pollOnAnEmptyBufferHandsOutNothing() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    assertThat(b.isEmpty()).isTrue();
    assertThat(b.poll(sink)).isFalse();
    assertThat(sink.received).isEmpty();
    assertThat(b.fill()).isZero();
  }

  // ------------------------------------------------------------------ construction

  @Test
  void conflateIsRejectedByThisBuffer() {
    BufferLimits conflate = limits(10, 100, 0.5, 0.9, DropPolicy.CONFLATE);
    assertThatThrownBy(() -> new ClientBuffer(conflate, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("buffer.policy")
        .hasMessageContaining("conflate");
  }

  @Test
  void limitsValidationNamesTheKey() {
    DropPolicy p = DropPolicy.DROP_OLDEST;
    assertThatThrownBy(() -> limits(0, 1, 0.5, 0.9, p)).hasMessageContaining("buffer.max ");
    assertThatThrownBy(() -> limits(-1, 1, 0.5, 0.9, p)).hasMessageContaining("buffer.max ");
    assertThatThrownBy(() -> limits(1, 0, 0.5, 0.9, p)).hasMessageContaining("buffer.maxBytes");
    assertThatThrownBy(() -> limits(1, 1, 0.9, 0.9, p))
        .as("warn equal to disconnect")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("buffer.warn")
        .hasMessageContaining("buffer.disconnect");
    assertThatThrownBy(() -> limits(1, 1, 0.95, 0.9, p)).hasMessageContaining("buffer.warn");
    assertThatThrownBy(() -> limits(1, 1, 0, 0.9, p)).hasMessageContaining("buffer.warn");
    assertThatThrownBy(() -> limits(1, 1, -0.1, 0.9, p)).hasMessageContaining("buffer.warn");
    assertThatThrownBy(() -> limits(1, 1, Double.NaN, 0.9, p)).hasMessageContaining("buffer.warn");
    assertThatThrownBy(() -> limits(1, 1, 0.5, 1.01, p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("buffer.disconnect");
    assertThatThrownBy(() -> limits(1, 1, 0.5, 0.9, null)).hasMessageContaining("buffer.policy");
    assertThat(limits(1, 1, 0.99, 1.0, p).disconnect()).as("disconnect may be 1.0").isEqualTo(1.0);
  }

  @Test
  void defaultsAreThoseOfTheProtocol() {
    assertThat(BufferLimits.DEFAULTS)
        .isEqualTo(new BufferLimits(16_600, 16L * 1024 * 1024, 0.8, 0.95, DropPolicy.DROP_OLDEST));
  }

  @Test
  void policyWireNames() {
    assertThat(DropPolicy.fromWireName("drop-oldest")).contains(DropPolicy.DROP_OLDEST);
    assertThat(DropPolicy.fromWireName("drop-newest")).contains(DropPolicy.DROP_NEWEST);
    assertThat(DropPolicy.fromWireName("conflate")).contains(DropPolicy.CONFLATE);
    assertThat(DropPolicy.fromWireName("disconnect")).contains(DropPolicy.DISCONNECT);
    assertThat(DropPolicy.fromWireName("DROP_OLDEST")).isEmpty();
    assertThat(DropPolicy.fromWireName(null)).isEmpty();
    for (DropPolicy p : DropPolicy.values()) {
      assertThat(DropPolicy.fromWireName(p.wireName())).contains(p);
    }
  }
}
