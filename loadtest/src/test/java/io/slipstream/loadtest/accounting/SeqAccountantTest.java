package io.slipstream.loadtest.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.loadtest.accounting.SeqAccountant.Outcome;
import io.slipstream.loadtest.accounting.SeqAccountant.Phase;
import org.junit.jupiter.api.Test;

class SeqAccountantTest {

  private final SeqAccountant acc = new SeqAccountant("t");

  private void live(long seq) {
    acc.subscribed("e1", seq, false);
    acc.snapshotBegin("e1", seq);
    acc.snapshotEnd(seq);
  }

  @Test
  void inOrderChangesAfterTheSnapshotAreClean() {
    acc.subscribed("e1", 10, false);
    assertThat(acc.phase()).isEqualTo(Phase.SNAPSHOT);
    acc.snapshotBegin("e1", 10);
    acc.snapshotRow(10);
    acc.snapshotRow(10);
    acc.snapshotEnd(10);
    assertThat(acc.phase()).isEqualTo(Phase.LIVE);
    assertThat(acc.change(11)).isEqualTo(Outcome.IN_ORDER);
    assertThat(acc.change(12)).isEqualTo(Outcome.IN_ORDER);
    assertThat(acc.received()).isEqualTo(2);
    assertThat(acc.snapshotRows()).isEqualTo(2);
    assertThat(acc.last()).isEqualTo(12);
    assertThat(acc.gaps() + acc.duplicates() + acc.protocolErrors()).isZero();
  }

  @Test
  void aSkippedSeqIsAGapOfTheMissingCount() {
    live(0);
    acc.change(1);
    assertThat(acc.change(5)).isEqualTo(Outcome.GAP);
    assertThat(acc.gaps()).isEqualTo(3);
    assertThat(acc.last()).isEqualTo(5);
    assertThat(acc.change(6)).isEqualTo(Outcome.IN_ORDER);
  }

  @Test
  void aRepeatedOrOlderSeqIsADuplicate() {
    live(0);
    acc.change(1);
    acc.change(2);
    assertThat(acc.change(2)).isEqualTo(Outcome.DUPLICATE);
    assertThat(acc.change(1)).isEqualTo(Outcome.DUPLICATE);
    assertThat(acc.duplicates()).isEqualTo(2);
    assertThat(acc.last()).isEqualTo(2);
    assertThat(acc.received()).isEqualTo(2);
  }

  @Test
  void aDroppedMessageNamesTheGapExactly() {
    live(0);
    acc.change(1);
    acc.dropped(2, 9, 8);
    assertThat(acc.change(10)).isEqualTo(Outcome.IN_ORDER);
    assertThat(acc.droppedByServer()).isEqualTo(8);
    assertThat(acc.gaps() + acc.duplicates() + acc.protocolErrors()).isZero();
  }

  @Test
  void aDroppedRangeThatDoesNotStartAtTheNextSeqLeavesAGap() {
    live(0);
    acc.change(1);
    acc.dropped(4, 5, 2);
    assertThat(acc.gaps()).isEqualTo(2); // 2 and 3 unexplained
    assertThat(acc.change(6)).isEqualTo(Outcome.IN_ORDER);
  }

  @Test
  void aDroppedRangeOverlappingDeliveredSeqsIsDoubleAccounting() {
    live(0);
    acc.change(1);
    acc.change(2);
    acc.dropped(2, 4, 3);
    assertThat(acc.duplicates()).isEqualTo(1);
    assertThat(acc.last()).isEqualTo(4);
  }

  @Test
  void aDropCountThatDisagreesWithItsRangeIsAViolation() {
    live(0);
    acc.dropped(1, 3, 2);
    assertThat(acc.protocolErrors()).isEqualTo(1);
  }

  @Test
  void conflationExplainsAGapThatFollowsIt() {
    live(0);
    acc.change(1);
    acc.conflated(2);
    assertThat(acc.change(4)).isEqualTo(Outcome.IN_ORDER);
    assertThat(acc.gaps()).isZero();
    assertThat(acc.conflated()).isEqualTo(2);
  }

  @Test
  void conflationExplainsAGapThatPrecededIt() {
    live(0);
    acc.change(1);
    assertThat(acc.change(4)).isEqualTo(Outcome.GAP);
    assertThat(acc.gaps()).isEqualTo(2);
    acc.conflated(2);
    assertThat(acc.gaps()).isZero();
  }

  @Test
  void resetForgetsThePositionUntilTheNewSnapshot() {
    live(0);
    acc.change(1);
    acc.reset();
    assertThat(acc.phase()).isEqualTo(Phase.RESET);
    assertThat(acc.last()).isEqualTo(SeqAccountant.NONE);
    acc.snapshotBegin("e2", 100);
    acc.snapshotRow(100);
    acc.snapshotEnd(100);
    assertThat(acc.change(101)).isEqualTo(Outcome.IN_ORDER);
    assertThat(acc.resets()).isEqualTo(1);
    assertThat(acc.epochChanges()).isEqualTo(1);
    assertThat(acc.gaps() + acc.duplicates() + acc.protocolErrors()).isZero();
  }

  @Test
  void snapshotRowsMustCarryTheSnapshotSeqInsideTheBrackets() {
    acc.subscribed("e1", 5, false);
    acc.snapshotBegin("e1", 5);
    acc.snapshotRow(4);
    acc.snapshotEnd(5);
    acc.snapshotRow(5);
    assertThat(acc.protocolErrors()).isEqualTo(2);
  }

  @Test
  void aReplayThatContinuesFromThePositionIsClean() {
    live(0);
    acc.change(1);
    acc.change(2);
    // reconnect: the server resumes at our position
    acc.subscribed("e1", 2, true);
    assertThat(acc.change(3)).isEqualTo(Outcome.IN_ORDER);
    assertThat(acc.replays()).isEqualTo(1);
    assertThat(acc.gaps() + acc.duplicates()).isZero();
  }

  @Test
  void aReplayThatSkipsAheadLosesChanges() {
    live(0);
    acc.change(1);
    acc.subscribed("e1", 4, true);
    assertThat(acc.gaps()).isEqualTo(3);
    assertThat(acc.change(5)).isEqualTo(Outcome.IN_ORDER);
  }

  @Test
  void aReplayFromBehindThePositionDoublesChanges() {
    live(0);
    acc.change(1);
    acc.change(2);
    acc.change(3);
    acc.subscribed("e1", 1, true);
    assertThat(acc.change(2)).isEqualTo(Outcome.DUPLICATE);
    assertThat(acc.change(3)).isEqualTo(Outcome.DUPLICATE);
    assertThat(acc.change(4)).isEqualTo(Outcome.IN_ORDER);
    assertThat(acc.duplicates()).isEqualTo(2);
  }

  @Test
  void aSnapshotOnResubscribeSupersedesWhatCameBefore() {
    live(0);
    acc.change(1);
    acc.subscribed("e1", 50, false);
    acc.snapshotBegin("e1", 50);
    acc.snapshotEnd(50);
    assertThat(acc.change(51)).isEqualTo(Outcome.IN_ORDER);
    assertThat(acc.gaps()).isZero();
  }
}
