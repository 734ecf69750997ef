package io.slipstream.loadtest.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link DeliveryCheck} and {@link VersionRuns}: every acknowledged publish at its seq once, what
 * a missing, a misplaced and a twice-applied change look like, and the bound on runs.
 */
class DeliveryCheckTest {

  /** The publisher's view: 200s for seqs 1..10 carrying v 1..10, in three answers. */
  private static VersionRuns acked() {
    VersionRuns a = new VersionRuns();
    a.add(1, 1, 4);
    a.add(5, 5, 3);
    a.add(8, 8, 3);
    return a;
  }

  private static VersionRuns received(long from, long... seqThenV) {
    VersionRuns c = new VersionRuns();
    c.startAfter(from);
    for (int i = 0; i < seqThenV.length; i += 2) {
      c.add(seqThenV[i], seqThenV[i + 1]);
    }
    return c;
  }

  private static VersionRuns stream(long from, long fromSeq, long toSeq, long offset) {
    VersionRuns c = new VersionRuns();
    c.startAfter(from);
    for (long s = fromSeq; s <= toSeq; s++) {
      c.add(s, s + offset);
    }
    return c;
  }

  @Test
  void aContiguousStreamIsOneRun() {
    VersionRuns c = stream(0, 1, 10_000, 0);
    assertThat(c.runs()).hasSize(1);
    assertThat(c.total()).isEqualTo(10_000);
    assertThat(acked().runs()).hasSize(1); // three answers, one run
  }

  @Test
  void everyAcknowledgedPublishOnceAtItsSeqIsExact() {
    DeliveryCheck.Result d = DeliveryCheck.check(acked(), stream(0, 1, 10, 0));
    assertThat(d.exact()).isTrue();
    assertThat(d.expected()).isEqualTo(10);
    assertThat(d.delivered()).isEqualTo(10);
    assertThat(d.first()).isNull();
  }

  @Test
  void aMissingSeqIsNamed() {
    VersionRuns c = stream(0, 1, 10, 0);
    VersionRuns gap = received(0, 1, 1, 2, 2, 3, 3, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10);
    DeliveryCheck.Result d = DeliveryCheck.check(acked(), gap);
    assertThat(d.exact()).isFalse();
    assertThat(d.missing()).isEqualTo(1);
    assertThat(d.first()).isEqualTo("seq 4 (acknowledged v=4) never applied");
    assertThat(DeliveryCheck.check(acked(), c).missing()).isZero();
  }

  @Test
  void anotherChangeAtAnAcknowledgedSeqIsWrong() {
    // Seq 6 carries v=60: the server put another change there than the one it acknowledged.
    VersionRuns c = received(0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 60, 7, 7, 8, 8, 9, 9, 10, 10);
    DeliveryCheck.Result d = DeliveryCheck.check(acked(), c);
    assertThat(d.wrongVersion()).isEqualTo(1);
    assertThat(d.missing()).isZero();
    assertThat(d.first()).isEqualTo("seq 6: acknowledged v=6, received v=60");
  }

  @Test
  void aRetryAppliedTwiceShowsAsAVersionAtTwoSeqs() {
    // v 5..7 applied at 5..7 (unanswered), then again at 8..10 by the retry, acknowledged there.
    VersionRuns a = new VersionRuns();
    a.add(1, 1, 4);
    a.add(8, 5, 3);
    VersionRuns c = stream(0, 1, 4, 0);
    c.add(5, 5, 3);
    c.add(8, 5, 3);
    DeliveryCheck.Result d = DeliveryCheck.check(a, c);
    assertThat(d.versionsTwice()).isEqualTo(3);
    assertThat(d.unacknowledged()).isEqualTo(3);
    assertThat(d.missing()).isZero();
    assertThat(d.exact()).isFalse();
  }

  @Test
  void aPublishAppliedWithoutAnAnswerIsCountedNotFailed() {
    // v 5..7 failed for good at the publisher but were applied at 5..7; the next publish is 8.
    VersionRuns a = new VersionRuns();
    a.add(1, 1, 4);
    a.add(8, 8, 3);
    DeliveryCheck.Result d = DeliveryCheck.check(a, stream(0, 1, 10, 0));
    assertThat(d.exact()).isTrue();
    assertThat(d.unacknowledged()).isEqualTo(3);
  }

  @Test
  void aFreshSubscriberIsCheckedFromItsSnapshot() {
    DeliveryCheck.Result d = DeliveryCheck.check(acked(), stream(6, 7, 10, 0));
    assertThat(d.expected()).isEqualTo(4);
    assertThat(d.exact()).isTrue();
    assertThat(DeliveryCheck.check(acked(), stream(6, 8, 10, 0)).missing()).isEqualTo(1);
  }

  @Test
  void aSeqAcknowledgedToTwoPublishesIsCounted() {
    VersionRuns a = acked();
    assertThat(DeliveryCheck.seqsAckedTwice(a)).isZero();
    a.add(9, 20, 2);
    assertThat(DeliveryCheck.seqsAckedTwice(a)).isEqualTo(2);
  }

  @Test
  void runsAreBounded() {
    VersionRuns c = new VersionRuns();
    for (long i = 0; i <= VersionRuns.MAX_RUNS; i++) {
      c.add(2 * i, 2 * i); // every other seq: a run each
    }
    assertThat(c.runs()).hasSize(VersionRuns.MAX_RUNS);
    assertThat(c.overflowed()).isTrue();
  }

  @Test
  void phaseMaximaKeepTheLargestValueOfEachPhaseWhileOpen() {
    PhaseMaxima m = new PhaseMaxima();
    m.record(99); // not open yet
    m.phase(0);
    m.record(5);
    m.record(3);
    m.phase(1);
    m.record(7);
    m.close();
    m.record(100);
    assertThat(m.max(0)).isEqualTo(5);
    assertThat(m.max(1)).isEqualTo(7);
    assertThat(m.max()).isEqualTo(7);
    assertThat(m.open()).isFalse();
  }
}
