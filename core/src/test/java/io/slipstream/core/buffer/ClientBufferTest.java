package io.slipstream.core.buffer;

import static io.slipstream.core.buffer.BufferEvents.event;
import static io.slipstream.core.buffer.BufferEvents.limits;
import static io.slipstream.core.buffer.RecordingSink.change;
import static io.slipstream.core.buffer.RecordingSink.dropped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.core.time.FakeClock;
import org.junit.jupiter.api.Test;

/**
 * Worked examples of {@link ClientBuffer}'s entries: each policy at the bound, with its {@code
 * dropped} markers counted against both bounds and merged per topic; oversized events; the refusal
 * when not even the markers fit; discarding a topic; and {@link BufferLimits}. The thresholds are
 * in {@link ClientBufferThresholdsTest}.
 */
class ClientBufferTest {

  private static final int MARKER = ClientBuffer.MARKER_BYTES;

  private final FakeClock clock = new FakeClock();
  private final RecordingSink sink = new RecordingSink();

  /** A buffer of {@code maxEvents} entries whose byte bound never binds. */
  private ClientBuffer entries(int maxEvents, DropPolicy policy) {
    return new ClientBuffer(limits(maxEvents, 1_000_000, 0.5, 0.9, policy), clock);
  }

  private static void assertOffers(
      ClientBuffer b, OfferOutcome outcome, String topic, long... seqs) {
    for (long seq : seqs) {
      assertThat(b.offer(event(topic, seq))).as("%s:%d", topic, seq).isEqualTo(outcome);
      b.checkInvariants();
    }
  }

  // ------------------------------------------------------------------ markers are entries

  @Test
  void markersCountAgainstBothBoundsAndTheFill() {
    ClientBuffer b = new ClientBuffer(limits(4, 1_000, 0.5, 0.9, DropPolicy.DROP_OLDEST), clock);
    assertOffers(b, OfferOutcome.ACCEPTED, "a", 1, 2, 3, 4);
    assertOffers(b, OfferOutcome.DROPPED, "a", 5);
    // a1 became a marker, which freed no entry, so a2 went into it too.
    assertThat(b.pending()).as("a marker and three events").isEqualTo(4);
    assertThat(b.pendingBytes()).isEqualTo(MARKER + 3);
    assertThat(b.fill()).isEqualTo(1.0);
    assertThat(b.droppedEvents()).isEqualTo(2);
    assertThat(sink.drain(b, 100))
        .containsExactly(dropped("a", 1, 2), change("a", 3), change("a", 4), change("a", 5));
    assertThat(b.pending()).isZero();
    assertThat(b.pendingBytes()).isZero();
  }

  // ------------------------------------------------------------------ drop-oldest

  @Test
  void dropOldestDropsOneMoreEventIntoAMarkerThatNeedsRoom() {
    ClientBuffer b = entries(3, DropPolicy.DROP_OLDEST);
    assertOffers(b, OfferOutcome.ACCEPTED, "a", 1);
    assertOffers(b, OfferOutcome.ACCEPTED, "b", 1);
    assertOffers(b, OfferOutcome.ACCEPTED, "a", 2);
    // a1 and b1 each open a marker, which frees nothing; a2 joins a's: room for a3.
    assertOffers(b, OfferOutcome.DROPPED, "a", 3);
    assertThat(b.droppedEvents()).isEqualTo(3);
    assertThat(b.pending()).isEqualTo(3);
    assertOffers(b, OfferOutcome.DROPPED, "b", 2); // a3 joins a's marker
    assertOffers(b, OfferOutcome.DROPPED, "a", 4); // b2 joins b's marker
    assertThat(b.droppedEvents()).isEqualTo(5);
    assertThat(sink.drain(b, 100))
        .containsExactly(dropped("a", 1, 3), dropped("b", 1, 2), change("a", 4));
    assertThat(b.isEmpty()).isTrue();
  }

  @Test
  void eventLargerThanMaxBytesUnderDropOldest() {
    ClientBuffer b = new ClientBuffer(limits(10, 1_000, 0.5, 0.9, DropPolicy.DROP_OLDEST), clock);
    b.offer(event("a", 1, 300));
    b.offer(event("b", 1, 300));
    b.offer(event("b", 2, 300));
    assertThat(b.offer(event("a", 2, 1_001))).isEqualTo(OfferOutcome.DROPPED);
    b.checkInvariants();
    // It can never be delivered. Its marker must stand before every event of its topic, so a1
    // goes into it too; dropping b's events could not make room that cannot exist.
    assertThat(b.pendingBytes()).isEqualTo(MARKER + 600);
    assertThat(b.droppedEvents()).isEqualTo(2);
    assertThat(sink.drain(b, 100))
        .containsExactly(dropped("a", 1, 2), change("b", 1), change("b", 2));

    // Into an empty buffer: just its own marker.
    assertThat(b.offer(event("a", 3, 10_000))).isEqualTo(OfferOutcome.DROPPED);
    assertThat(sink.drain(b, 100)).containsExactly(dropped("a", 3, 3));
  }

  @Test
  void anEventThatCannotFitBehindTheMarkersItsDropsNeedIsDroppedToo() {
    ClientBuffer b = new ClientBuffer(limits(10, 500, 0.5, 0.9, DropPolicy.DROP_OLDEST), clock);
    b.offer(event("a", 1, 100));
    b.offer(event("b", 1, 100));
    b.offer(event("c", 1, 100));
    // b2 would fit behind 300 bytes of events, but every drop costs a marker, and 128 + 200 + 450,
    // 2 * 128 + 100 + 450 and 3 * 128 + 450 are all over 500. So b2 is dropped as well, after
    // just enough: b1 (and a1 before it) must go so that b's marker stands before all of b.
    assertThat(b.offer(event("b", 2, 450))).isEqualTo(OfferOutcome.DROPPED);
    assertThat(b.pendingBytes()).isEqualTo(2 * MARKER + 100);
    assertThat(sink.drain(b, 100))
        .containsExactly(dropped("a", 1, 1), dropped("b", 1, 2), change("c", 1));
  }

  // ------------------------------------------------------------------ drop-newest

  @Test
  void dropNewestDropsOneMoreEventIntoAMarkerThatNeedsRoom() {
    ClientBuffer b = entries(3, DropPolicy.DROP_NEWEST);
    assertOffers(b, OfferOutcome.ACCEPTED, "a", 1, 2, 3);
    // a4's marker needs an entry: a3 goes into it.
    assertOffers(b, OfferOutcome.DROPPED, "a", 4);
    assertThat(b.pending()).isEqualTo(3);
    assertOffers(b, OfferOutcome.DROPPED, "a", 5, 6); // the range continues: free
    assertThat(b.droppedEvents()).isEqualTo(4);
    assertThat(sink.drain(b, 100))
        .containsExactly(change("a", 1), change("a", 2), dropped("a", 3, 6));
  }

  @Test
  void dropNewestMergesTheRangesOfATopicAcrossOtherTopics() {
    ClientBuffer b = entries(4, DropPolicy.DROP_NEWEST);
    b.offer(event("a", 1));
    b.offer(event("b", 1));
    b.offer(event("a", 2));
    b.offer(event("b", 2));
    // a3's marker needs an entry: b2 becomes a marker (no gain), a2 joins a3's (one entry free).
    assertOffers(b, OfferOutcome.DROPPED, "a", 3);
    assertThat(b.pending()).as("a1, b1 and two markers").isEqualTo(4);
    // Nothing of b or a is queued after their markers: each range continues at no cost.
    assertOffers(b, OfferOutcome.DROPPED, "b", 3);
    assertOffers(b, OfferOutcome.DROPPED, "a", 4);
    assertThat(b.droppedEvents()).isEqualTo(5);
    assertThat(sink.drain(b, 1)).containsExactly(change("a", 1));

    assertOffers(b, OfferOutcome.ACCEPTED, "a", 5);
    // a6's marker needs an entry: a5 goes into it, and the range then touches a2..a4: all one.
    assertOffers(b, OfferOutcome.DROPPED, "a", 6);
    assertThat(b.pending()).as("b1 and two markers").isEqualTo(3);
    assertThat(sink.drain(b, 100))
        .containsExactly(change("b", 1), dropped("a", 2, 6), dropped("b", 2, 3));
  }

  @Test
  void dropNewestNeverExtendsAGapAlreadyHandedOut() {
    ClientBuffer b = entries(2, DropPolicy.DROP_NEWEST);
    assertOffers(b, OfferOutcome.ACCEPTED, "a", 1, 2);
    assertOffers(b, OfferOutcome.DROPPED, "a", 3);
    assertThat(sink.drain(b, 100)).containsExactly(change("a", 1), dropped("a", 2, 3));
    assertOffers(b, OfferOutcome.ACCEPTED, "a", 4, 5);
    assertOffers(b, OfferOutcome.DROPPED, "a", 6); // a new range, not the one handed out
    assertThat(sink.drain(b, 100)).containsExactly(change("a", 4), dropped("a", 5, 6));
  }

  @Test
  void dropNewestMakesRoomForANewTopicsMarkerFromTheNewestEvents() {
    ClientBuffer b = entries(3, DropPolicy.DROP_NEWEST);
    assertOffers(b, OfferOutcome.ACCEPTED, "a", 1, 2, 3);
    // b1's marker needs an entry: a3 becomes a marker, a2 joins it.
    assertOffers(b, OfferOutcome.DROPPED, "b", 1);
    assertOffers(b, OfferOutcome.DROPPED, "c", 1); // a1 joins a's marker
    // Three markers, no event left to drop: d1 cannot be named.
    assertOffers(b, OfferOutcome.DISCONNECT, "d", 1);
    assertThat(b.droppedEvents()).isEqualTo(5);
    assertThat(sink.drain(b, 100))
        .containsExactly(dropped("b", 1, 1), dropped("a", 1, 3), dropped("c", 1, 1));
  }

  @Test
  void eventLargerThanMaxBytesUnderDropNewestLeavesTheRestAlone() {
    ClientBuffer b = new ClientBuffer(limits(10, 1_000, 0.5, 0.9, DropPolicy.DROP_NEWEST), clock);
    b.offer(event("a", 1, 300));
    assertThat(b.offer(event("a", 2, 1_001))).isEqualTo(OfferOutcome.DROPPED);
    assertThat(b.offer(event("a", 3, 1_000 - 300 - MARKER))).isEqualTo(OfferOutcome.ACCEPTED);
    assertThat(sink.drain(b, 100))
        .containsExactly(change("a", 1), dropped("a", 2, 2), change("a", 3));
  }

  // ------------------------------------------------------------------ disconnect, and all

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
    ClientBuffer b = entries(10, DropPolicy.DROP_OLDEST);
    assertThat(b.isEmpty()).isTrue();
    assertThat(b.poll(sink)).isFalse();
    assertThat(sink.received).isEmpty();
    assertThat(b.fill()).isZero();
  }

  // ------------------------------------------------------------------ construction

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
