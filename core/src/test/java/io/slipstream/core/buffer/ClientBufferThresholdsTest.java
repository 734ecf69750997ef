package io.slipstream.core.buffer;

import static io.slipstream.core.buffer.BufferEvents.event;
import static io.slipstream.core.buffer.BufferEvents.limits;
import static io.slipstream.core.buffer.BufferEvents.offer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.time.FakeClock;
import org.junit.jupiter.api.Test;

/**
 * Worked examples of {@link ClientBuffer}'s two thresholds on a fake clock: the one-shot {@code
 * warning} with its re-arm period, and the sustained-disconnect condition with its dip tolerance.
 */
class ClientBufferThresholdsTest {

  private static final long TOLERANCE = ClientBuffer.DIP_TOLERANCE_MS;
  private static final long REARM = ClientBuffer.DEFAULT_WARN_REARM_MS;

  private final FakeClock clock = new FakeClock();
  private final RecordingSink sink = new RecordingSink();

  /** Ten events, warn at 5, disconnect at 8; bytes never bind. */
  private ClientBuffer tenEvents(DropPolicy policy) {
    return new ClientBuffer(limits(10, 1_000_000, 0.5, 0.8, policy), clock);
  }

  // ------------------------------------------------------------------ warning

  @Test
  void warningFiresOnceAtTheFirstUpwardCrossing() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "t", 1, 4);
    assertThat(b.takeWarning()).as("fill 0.4, below warn").isFalse();
    offer(b, "t", 5, 5);
    assertThat(b.takeWarning()).as("fill 0.5 reaches warn").isTrue();
    assertThat(b.takeWarning()).as("one-shot").isFalse();
    offer(b, "t", 6, 10); // up to full: still the same crossing
    assertThat(b.takeWarning()).isFalse();

    sink.take(b, 5); // fill 0.5: at warn, not below
    clock.advance(REARM);
    offer(b, "t", 11, 11);
    assertThat(b.takeWarning()).as("never below warn, however long").isFalse();
  }

  @Test
  void warningRearmsOnlyAfterTheFillStayedBelowWarnForTheRearmPeriod() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "t", 1, 5);
    assertThat(b.takeWarning()).isTrue();

    sink.take(b, 1); // fill 0.4: the re-arm period starts now
    clock.advance(REARM - 1);
    offer(b, "t", 6, 6);
    assertThat(b.takeWarning()).as("below warn 1 ms too short").isFalse();

    sink.take(b, 1); // below again: the period starts over, it does not add up
    clock.advance(REARM / 2);
    offer(b, "t", 7, 7);
    sink.take(b, 1);
    clock.advance(REARM / 2);
    offer(b, "t", 8, 8);
    assertThat(b.takeWarning()).as("twice half the period is not the period").isFalse();

    sink.take(b, 1);
    clock.advance(REARM);
    assertThat(b.takeWarning()).as("re-armed, but nothing crossed yet").isFalse();
    offer(b, "t", 9, 9);
    assertThat(b.takeWarning()).as("below for the whole period, then up").isTrue();
  }

  @Test
  void theRearmPeriodIsTimedFromTheFallNotFromTheNextEvent() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "t", 1, 5);
    assertThat(b.takeWarning()).isTrue();
    sink.take(b, 5); // empty: below warn from now on, with nothing happening
    clock.advance(REARM);
    offer(b, "t", 6, 10);
    assertThat(b.takeWarning()).isTrue();
  }

  @Test
  void aZeroRearmPeriodRearmsOnAnyFallBelowWarn() {
    ClientBuffer b =
        new ClientBuffer(limits(10, 1_000_000, 0.5, 0.8, DropPolicy.DROP_OLDEST), 0, clock);
    assertThat(b.warnRearmMs()).isZero();
    for (long s = 1; s <= 20; s += 5) {
      offer(b, "t", s, s + 4);
      assertThat(b.takeWarning()).as("crossing at seq %d", s + 4).isTrue();
      sink.take(b, 5);
    }
  }

  @Test
  void theTwoArgumentConstructorUsesTheDefaultRearmPeriod() {
    assertThat(tenEvents(DropPolicy.DROP_OLDEST).warnRearmMs()).isEqualTo(1_000);
    assertThatThrownBy(() -> new ClientBuffer(BufferLimits.DEFAULTS, -1, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("warnRearmMs");
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
    sink.take(b, 6); // crossed up and back down without anyone taking the warning
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
  void discardIsAFallLikeAnyOtherAndClearRearmsAtOnce() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "a", 1, 5);
    assertThat(b.takeWarning()).isTrue();
    b.discardTopic("a");
    offer(b, "b", 1, 5);
    assertThat(b.takeWarning()).as("the same stall").isFalse();
    b.discardTopic("b");
    clock.advance(REARM);
    offer(b, "b", 6, 10);
    assertThat(b.takeWarning()).isTrue();
    b.clear(); // the connection is gone: a fresh buffer
    offer(b, "b", 11, 15);
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
    sink.take(b, 2); // fill 0.7: a dip begins
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
    sink.take(b, 1);
    clock.advance(TOLERANCE + 1);
    offer(b, "t", 9, 9); // back up after a long dip, the getter never called in between
    assertThat(b.overDisconnectSince()).isEqualTo(clock.millis());
  }

  /**
   * The thresholds of docs/protocol.md §6 as this server reads it: "at or above {@code disconnect}
   * for sustainMs" means without a pause longer than {@link ClientBuffer#DIP_TOLERANCE_MS}; the
   * instant dips of a socket taking a chunk of events are not a pause (docs/protocol.md §13).
   */
  @Test
  void briefDipsOfAChunkedDrainDoNotResetTheCondition() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    long t0 = clock.millis();
    offer(b, "t", 1, 10);
    long seq = 11;
    for (int chunk = 0; chunk < 50; chunk++) {
      sink.take(b, 4); // the socket takes a chunk: fill 0.6
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

  // ------------------------------------------------------------------ catch-up lag

  @Test
  void theCatchUpLagCountsTowardTheFillLikeQueuedEventsUpToAFullBuffer() {
    ClientBuffer b = tenEvents(DropPolicy.DROP_OLDEST);
    offer(b, "t", 1, 2);
    b.behind(3);
    assertThat(b.fill()).as("2 queued + 3 behind of 10").isEqualTo(0.5);
    assertThat(b.takeWarning()).as("the lag crosses warn like events do").isTrue();
    assertThat(b.pending()).as("nothing more is queued").isEqualTo(2);
    b.behind(1_000);
    assertThat(b.fill()).as("at most a full buffer").isEqualTo(1.0);
    assertThat(b.overDisconnectSince()).isEqualTo(clock.millis());
    clock.advance(5_000);
    assertThat(b.sustainedOverDisconnect(5_000)).isTrue();
    b.checkInvariants();
    offer(b, "u", 1, 8);
    assertThat(b.droppedEvents()).as("the lag takes no room: nothing is dropped").isZero();
    b.behind(0);
    assertThat(b.fill()).isEqualTo(1.0);
    b.clear();
    assertThat(b.behind()).isZero();
    assertThatThrownBy(() -> b.behind(-1)).hasMessageContaining("behind");
  }
}
