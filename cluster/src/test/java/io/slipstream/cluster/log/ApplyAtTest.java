package io.slipstream.cluster.log;

import static io.slipstream.cluster.log.Logs.append;
import static io.slipstream.cluster.log.Logs.upserts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.map.EntryProcessor;
import org.junit.jupiter.api.Test;

/**
 * {@link ApplyAt} on a backup copy: applies at exactly the primary's position, is a no-op for a
 * publish it already holds, and otherwise refuses without changing anything.
 */
class ApplyAtTest {

  private final FakeEntry primary = FakeEntry.empty();

  /** Runs an append on the primary and returns its backup processor. */
  private EntryProcessor<String, TopicLog, AppendOutcome> onPrimary(Append ep) {
    ep.process(primary);
    return ep.getBackupProcessor();
  }

  @Test
  void aBackupThatMissedAnUpdateRefusesRatherThanDiverges() {
    var first = onPrimary(append("a", upserts(1, 1)));
    onPrimary(append("b", upserts(1, 2))); // its backup is lost
    var third = onPrimary(append("c", upserts(1, 3)));
    FakeEntry backup = FakeEntry.empty();
    first.process(backup);
    TopicLog before = backup.getValue().copy();

    assertThatThrownBy(() -> third.process(backup))
        .isInstanceOf(BackupRefusedException.class)
        .hasMessageContaining("at seq 1");
    assertThat(backup.getValue().sameState(before)).isTrue();
    assertThat(backup.sets).isEqualTo(1);
  }

  @Test
  void aBackupWithoutTheEntryRefusesALaterBatch() {
    onPrimary(append("a", upserts(1, 1)));
    var second = onPrimary(append("b", upserts(1, 2)));

    FakeEntry backup = FakeEntry.empty();
    assertThatThrownBy(() -> second.process(backup)).isInstanceOf(BackupRefusedException.class);
    assertThat(backup.getValue()).isNull();
  }

  @Test
  void aBackupInAnotherEpochRefuses() {
    var created = onPrimary(append("a", upserts(1, 1), "e1", Logs.ROOMY));
    FakeEntry backup = new FakeEntry("t", TopicLog.create("e0"));

    assertThatThrownBy(() -> created.process(backup))
        .isInstanceOf(BackupRefusedException.class)
        .hasMessageContaining("epoch e0");
  }

  @Test
  void aBatchTheBackupAlreadyHoldsIsANoOp() {
    var first = onPrimary(append("a", upserts(2, 1)));
    FakeEntry backup = FakeEntry.empty();
    first.process(backup);
    TopicLog before = backup.getValue().copy();

    first.process(backup);

    assertThat(backup.getValue().sameState(before)).isTrue();
    assertThat(backup.sets).isEqualTo(1);
  }

  @Test
  void aRepeatedBatchWithoutAnIdCannotBeRecognisedAndIsRefused() {
    var first = onPrimary(append(null, upserts(2, 1)));
    FakeEntry backup = FakeEntry.empty();
    first.process(backup);

    assertThatThrownBy(() -> first.process(backup)).isInstanceOf(BackupRefusedException.class);
  }

  @Test
  void anInjectedFaultRefusesOnceThenTheNextBatchAtThatPositionApplies() {
    Append ep = append("a", upserts(1, 1));
    ep.process(primary);
    ApplyAt apply = (ApplyAt) (Object) ep.getBackupProcessor();
    BackupFaults faults = new BackupFaults();
    faults.refuseNextApplies(1);
    apply.faults(faults);
    FakeEntry backup = FakeEntry.empty();

    assertThatThrownBy(() -> apply.process(backup))
        .isInstanceOf(BackupRefusedException.class)
        .hasMessageContaining("injected");
    assertThat(backup.getValue()).isNull();
    assertThat(faults.pending()).isZero();
    apply.process(backup);
    assertThat(backup.getValue().sameState(primary.getValue())).isTrue();
  }
}
