package io.slipstream.cluster.log;

import static io.slipstream.cluster.log.Logs.ROOMY;
import static io.slipstream.cluster.log.Logs.append;
import static io.slipstream.cluster.log.Logs.delete;
import static io.slipstream.cluster.log.Logs.upsert;
import static io.slipstream.cluster.log.Logs.upserts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipstream.cluster.log.AppendOutcome.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Append} as a pure function of (entry, input), with its backup processor. */
class AppendTest {

  private final FakeEntry primary = FakeEntry.empty();
  private final FakeEntry backup = FakeEntry.empty();

  /** Runs {@code ep} on the primary and its backup processor, if any, on the backup. */
  private AppendOutcome run(Append ep) {
    AppendOutcome out = ep.process(primary);
    var bp = ep.getBackupProcessor();
    if (bp != null) {
      bp.process(backup);
    }
    return out;
  }

  @Test
  void theFirstAppendCreatesTheTopicInTheCandidateEpochAndTheBackupMatches() {
    AppendOutcome out = run(append("a", upserts(3, 1), "e1", ROOMY));

    assertThat(out.kind()).isEqualTo(Kind.APPENDED);
    assertThat(out.epoch()).isEqualTo("e1");
    assertThat(out.firstSeq()).isEqualTo(1);
    assertThat(out.lastSeq()).isEqualTo(3);
    assertThat(primary.getValue().rows().size()).isEqualTo(3);
    assertThat(backup.getValue().sameState(primary.getValue())).isTrue();
  }

  @Test
  void laterAppendsContinueTheSeqsAndIgnoreTheirEpochCandidate() {
    run(append("a", upserts(3, 1), "e1", ROOMY));
    AppendOutcome out = run(append("b", List.of(upsert("x", 2)), "e2", ROOMY));

    assertThat(out.epoch()).isEqualTo("e1");
    assertThat(out.firstSeq()).isEqualTo(4);
    assertThat(out.lastSeq()).isEqualTo(4);
    assertThat(backup.getValue().sameState(primary.getValue())).isTrue();
  }

  @Test
  void aRepeatedIdWithTheSameBodyGetsItsRecordedSeqsAndChangesNothing() {
    run(append("a", upserts(2, 1)));
    run(append("b", upserts(1, 2)));
    TopicLog before = primary.getValue().copy();
    int sets = primary.sets;

    Append repeat = append("a", upserts(2, 1));
    AppendOutcome out = repeat.process(primary);

    assertThat(out.kind()).isEqualTo(Kind.REPEATED);
    assertThat(out.firstSeq()).isEqualTo(1);
    assertThat(out.lastSeq()).isEqualTo(2);
    assertThat(primary.sets).isEqualTo(sets);
    assertThat(primary.getValue().sameState(before)).isTrue();
    // The repeat is answered only once the backup confirms it holds the publish.
    assertThat(repeat.getBackupProcessor()).isInstanceOf(VerifyAt.class);
    repeat.getBackupProcessor().process(backup);
    assertThatThrownBy(() -> repeat.getBackupProcessor().process(FakeEntry.empty()))
        .isInstanceOf(BackupRefusedException.class);
  }

  @Test
  void aRepeatedIdWithAnotherBodyIsAConflictAndNeedsNoBackup() {
    run(append("a", upserts(2, 1)));
    TopicLog before = primary.getValue().copy();

    Append other = append("a", upserts(2, 9));
    AppendOutcome out = other.process(primary);

    assertThat(out.kind()).isEqualTo(Kind.CONFLICT);
    assertThat(out.applied()).isFalse();
    assertThat(other.getBackupProcessor()).isNull();
    assertThat(primary.getValue().sameState(before)).isTrue();
  }

  @Test
  void publishesWithoutAnIdAreNeverDeduped() {
    run(append(null, upserts(1, 1)));
    AppendOutcome out = run(append(null, upserts(1, 1)));

    assertThat(out.kind()).isEqualTo(Kind.APPENDED);
    assertThat(out.firstSeq()).isEqualTo(2);
    assertThat(primary.getValue().rememberedIds()).isZero();
  }

  @Test
  void theRingEvictsTheOldestChangesByCountAndTheWindowTheOldestIds() {
    LogLimits small = new LogLimits(4, 1_000_000, 2, 1_000_000);
    run(append("a", upserts(2, 1), "e1", small));
    run(append("b", upserts(2, 2), "e1", small));
    run(append("c", upserts(2, 3), "e1", small));

    ChangeRing ring = primary.getValue().ring();
    assertThat(ring.firstSeq()).isEqualTo(3);
    assertThat(ring.lastSeq()).isEqualTo(6);
    assertThat(ring.get(3).publishId()).isEqualTo("b");
    assertThat(primary.getValue().recorded("a")).isNull();
    assertThat(primary.getValue().recorded("b")).isNotNull();
    // Out of the window, the id is new again: applied once more, at new seqs.
    AppendOutcome again = run(append("a", upserts(2, 1), "e1", small));
    assertThat(again.kind()).isEqualTo(Kind.APPENDED);
    assertThat(again.firstSeq()).isEqualTo(7);
    assertThat(backup.getValue().sameState(primary.getValue())).isTrue();
  }

  @Test
  void theRingEvictsByWeightToo() {
    long oneChange = new LoggedChange(upsert("k0", 1).op(), "k0", "{\"v\":1}", 0, null).weight();
    LogLimits byBytes = new LogLimits(1_000, 3 * oneChange, 1_000, 1_000_000);
    for (int i = 0; i < 5; i++) {
      run(append(null, List.of(upsert("k0", 1)), "e1", byBytes));
    }

    ChangeRing ring = primary.getValue().ring();
    assertThat(ring.size()).isEqualTo(3);
    assertThat(ring.bytes()).isEqualTo(3 * oneChange);
    assertThat(ring.firstSeq()).isEqualTo(3);
  }

  @Test
  void aBatchThatWouldGrowTheRowsPastTheirBoundIsFullAndChangesNothing() {
    long row = TopicLog.rowWeight("k0", "{\"v\":1}");
    LogLimits twoRows = new LogLimits(1_000, 1_000_000, 1_000, 2 * row);
    run(append("a", upserts(2, 1), "e1", twoRows));
    TopicLog before = primary.getValue().copy();

    Append third = append("b", List.of(upsert("k9", 1)), "e1", twoRows);
    assertThat(third.process(primary).kind()).isEqualTo(Kind.FULL);
    assertThat(third.getBackupProcessor()).isNull();
    assertThat(primary.getValue().sameState(before)).isTrue();
    // A full topic still takes changes that do not grow it.
    assertThat(run(append("c", List.of(upsert("k1", 2)), "e1", twoRows)).kind())
        .isEqualTo(Kind.APPENDED);
    assertThat(run(append("d", List.of(delete("k0")), "e1", twoRows)).kind())
        .isEqualTo(Kind.APPENDED);
    assertThat(primary.getValue().rowBytes()).isEqualTo(row);
  }

  @Test
  void aBatchLargerThanTheRingIsFullAndDoesNotCreateTheTopic() {
    LogLimits tiny = new LogLimits(2, 1_000_000, 1_000, 1_000_000);

    Append tooBig = append("a", upserts(3, 1), "e1", tiny);
    assertThat(tooBig.process(primary).kind()).isEqualTo(Kind.FULL);
    assertThat(primary.getValue()).isNull();
    assertThat(primary.sets).isZero();
  }

  @Test
  void anAppendNeedsChanges() {
    assertThatThrownBy(() -> append("a", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("changes");
  }
}
