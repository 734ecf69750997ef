package io.slipstream.cluster.log;

import static io.slipstream.cluster.log.Logs.append;
import static io.slipstream.cluster.log.Logs.upserts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.ReadOnly;
import io.slipstream.cluster.log.LogRead.Kind;
import org.junit.jupiter.api.Test;

/**
 * {@link ValidatedRead} and its {@link VerifyAt} backup check, and the unvalidated {@link ReadTip}.
 */
class ValidatedReadTest {

  private final FakeEntry primary = FakeEntry.empty();
  private final FakeEntry backup = FakeEntry.empty();

  /** Publishes {@code batches} batches of two changes each to both copies: seqs 1..2n. */
  private void publish(int batches, LogLimits limits) {
    for (int i = 0; i < batches; i++) {
      Append ep = append("p" + i, upserts(2, i), "e1", limits);
      ep.process(primary);
      ep.getBackupProcessor().process(backup);
    }
  }

  @Test
  void aSnapshotHoldsTheRowsAtTheLastSeqAndTheNewestChanges() {
    publish(3, Logs.ROOMY);
    ValidatedRead read = ValidatedRead.snapshot(4);

    LogRead out = read.process(primary);

    assertThat(out.kind()).isEqualTo(Kind.OK);
    assertThat(out.epoch()).isEqualTo("e1");
    assertThat(out.lastSeq()).isEqualTo(6);
    assertThat(out.rows().size()).isEqualTo(2);
    assertThat(out.rows().get("k0").json()).isEqualTo("{\"v\":2}");
    assertThat(out.firstSeq()).isEqualTo(3);
    assertThat(out.changes()).hasSize(4);
    assertThat(out.changes().get(0).publishId()).isEqualTo("p1");
    assertThat(primary.sets).isEqualTo(3);
    read.getBackupProcessor().process(backup);
  }

  @Test
  void aReadIsRefusedByABackupThatIsBehindOrInAnotherEpoch() {
    publish(2, Logs.ROOMY);
    Append unbacked = append("late", upserts(1, 9));
    unbacked.process(primary);
    ValidatedRead read = ValidatedRead.snapshot(10);
    read.process(primary);

    assertThatThrownBy(() -> read.getBackupProcessor().process(backup))
        .isInstanceOf(BackupRefusedException.class);
    assertThatThrownBy(
            () -> read.getBackupProcessor().process(new FakeEntry("t", TopicLog.create("e0"))))
        .isInstanceOf(BackupRefusedException.class);
    unbacked.getBackupProcessor().process(backup);
    read.getBackupProcessor().process(backup);
  }

  @Test
  void aRangeReturnsAtMostMaxEventsAfterTheGivenSeq() {
    publish(5, Logs.ROOMY);

    LogRead out = ValidatedRead.range("e1", 3, 4).process(primary);

    assertThat(out.kind()).isEqualTo(Kind.OK);
    assertThat(out.rows()).isNull();
    assertThat(out.firstSeq()).isEqualTo(4);
    assertThat(out.changes()).hasSize(4);
    assertThat(out.lastSeq()).isEqualTo(10);
    assertThat(ValidatedRead.range("e1", 10, 4).process(primary).changes()).isEmpty();
  }

  @Test
  void aRangeFromBeforeTheRingIsNotCoveredAndAnotherEpochIsReported() {
    publish(5, new LogLimits(4, 1_000_000, 100, 1_000_000));

    assertThat(ValidatedRead.range("e1", 5, 10).process(primary).kind())
        .isEqualTo(Kind.NOT_COVERED);
    assertThat(ValidatedRead.range("e1", 6, 10).process(primary).changes()).hasSize(4);
    LogRead other = ValidatedRead.range("e0", 6, 10).process(primary);
    assertThat(other.kind()).isEqualTo(Kind.EPOCH_CHANGED);
    assertThat(other.epoch()).isEqualTo("e1");
  }

  @Test
  void anAbsentTopicIsReadWithoutABackupCheck() {
    ValidatedRead read = ValidatedRead.snapshot(10);

    assertThat(read.process(primary).kind()).isEqualTo(Kind.ABSENT);
    assertThat(read.getBackupProcessor()).isNull();
  }

  @Test
  void theTipIsReadOnlyAndSendsNoBackup() {
    publish(2, Logs.ROOMY);

    LogTip tip = ReadTip.INSTANCE.process(primary);

    assertThat(tip.epoch()).isEqualTo("e1");
    assertThat(tip.lastSeq()).isEqualTo(4);
    assertThat(ReadTip.INSTANCE).isInstanceOf(ReadOnly.class);
    assertThat(ReadTip.INSTANCE.getBackupProcessor()).isNull();
    assertThat(ReadTip.INSTANCE.process(FakeEntry.empty()).epoch()).isNull();
  }

  @Test
  void readsAreBounded() {
    assertThatThrownBy(() -> ValidatedRead.snapshot(ValidatedRead.MAX_EVENTS + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxEvents");
  }
}
