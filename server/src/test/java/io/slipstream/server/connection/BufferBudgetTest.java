package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.buffer.ClientBuffer;
import io.slipstream.core.buffer.DropPolicy;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The budget's level and its shares, white-box: water-filling sheds the excess from the largest
 * buffers down, no more; within budget the level leaves the largest buffer the headroom; a share
 * above the level sheds down to it and is closed once it stayed above for {@code sustainMs}
 * (docs/protocol.md §6). {@code BufferBudgetIT} covers the wire.
 */
class BufferBudgetTest {

  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong now = new AtomicLong(1_000);
  private final Clock clock = now::get;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void theLevelShedsTheExcessFromTheTopDown() {
    assertThat(BufferBudget.levelFor(new long[] {10, 100, 50}, 3, 30))
        .as("only the largest sheds, by the excess")
        .isEqualTo(70);
    assertThat(BufferBudget.levelFor(new long[] {10, 100, 50}, 3, 60))
        .as("the two largest down to a common level")
        .isEqualTo(45);
    assertThat(BufferBudget.levelFor(new long[] {10, 100, 50}, 3, 160)).isZero();
    assertThat(BufferBudget.levelFor(new long[] {10, 100, 50}, 3, 1_000)).isZero();
  }

  private ClientBuffer buffer() {
    return new ClientBuffer(
        new BufferLimits(10_000, 1L << 30, 0.5, 0.9, DropPolicy.DROP_OLDEST), clock);
  }

  private static void fill(ClientBuffer b, String topic, int events) {
    for (int i = 1; i <= events; i++) {
      b.offer(new ChangeEvent(topic, "e", i, ChangeOp.UPDATE, "k", "{}", 0, e -> new byte[1_000]));
    }
  }

  @Test
  void theBiggestBufferShedsDownToTheLevelAndTheOthersKeepEverything() {
    BufferBudget budget = new BufferBudget(vertx, 100_000);
    ClientBuffer big = buffer();
    ClientBuffer small = buffer();
    BufferBudget.Share bigShare = budget.join(big);
    BufferBudget.Share smallShare = budget.join(small);
    fill(small, "s", 30);
    assertThat(smallShare.afterOffers(1_000, clock)).isEqualTo(BufferBudget.Verdict.WITHIN);
    fill(big, "b", 90);
    bigShare.afterOffers(1_000, clock);
    assertThat(budget.totalBytes()).isEqualTo(120_000);

    budget.recompute();
    assertThat(budget.level()).as("90,000 shed down to 70,000 frees the excess").isEqualTo(70_000);
    assertThat(smallShare.afterOffers(1_000, clock)).isEqualTo(BufferBudget.Verdict.WITHIN);
    assertThat(bigShare.afterOffers(1_000, clock)).isEqualTo(BufferBudget.Verdict.SHED);
    assertThat(big.pendingBytes()).isLessThanOrEqualTo(70_000).isGreaterThan(60_000);
    assertThat(big.droppedEvents(DropReason.BUDGET)).isPositive();
    assertThat(small.droppedEvents()).isZero();
    assertThat(budget.totalBytes()).isLessThanOrEqualTo(100_000);

    budget.recompute();
    assertThat(budget.level())
        .as("within budget: the largest plus the headroom")
        .isEqualTo(big.pendingBytes() + 100_000 - budget.totalBytes());

    bigShare.leave();
    smallShare.leave();
    assertThat(budget.totalBytes()).isZero();
  }

  /**
   * The recompute of a node whose buffers are all empty skips the walk of the shares: its level
   * must still be the one the walk gives (the largest, 0, plus the whole budget), and none before
   * any share joined, so a buffer that fills alone up to the budget sheds nothing.
   */
  @Test
  void allBuffersEmptyGiveTheWholeBudgetAsTheLevel() {
    BufferBudget budget = new BufferBudget(vertx, 100_000);
    budget.recompute();
    assertThat(budget.level()).isEqualTo(BufferBudget.NO_LEVEL);
    ClientBuffer b = buffer();
    BufferBudget.Share share = budget.join(b);
    budget.recompute();
    assertThat(budget.level()).isEqualTo(100_000);
    fill(b, "e", 90);
    assertThat(share.afterOffers(1_000, clock)).isEqualTo(BufferBudget.Verdict.WITHIN);
    assertThat(b.droppedEvents()).isZero();
    share.leave();
    budget.recompute();
    assertThat(budget.level()).isEqualTo(BufferBudget.NO_LEVEL);
  }

  /** A share of {@code b}, 150,000 bytes in a 100,000-byte budget, after its first shed. */
  private BufferBudget.Share shedOnce(ClientBuffer b) {
    BufferBudget budget = new BufferBudget(vertx, 100_000);
    BufferBudget.Share share = budget.join(b);
    fill(b, "t", 150);
    share.afterOffers(500, clock);
    budget.recompute();
    assertThat(share.afterOffers(500, clock)).isEqualTo(BufferBudget.Verdict.SHED);
    return share;
  }

  @Test
  void aShareAboveTheLevelAtEveryBatchForSustainMsIsClosed() {
    ClientBuffer b = buffer();
    BufferBudget.Share share = shedOnce(b);
    now.addAndGet(499);
    fill(b, "u", 10);
    assertThat(share.afterOffers(500, clock)).isEqualTo(BufferBudget.Verdict.SHED);
    now.addAndGet(1);
    fill(b, "v", 10);
    assertThat(share.afterOffers(500, clock)).isEqualTo(BufferBudget.Verdict.CLOSE);
  }

  @Test
  void aBatchWithinTheLevelEndsTheCondition() {
    ClientBuffer b = buffer();
    BufferBudget.Share share = shedOnce(b);
    now.addAndGet(400);
    while (b.pendingBytes() > 50_000) {
      b.poll(new RecordingNothing());
    }
    share.afterTurn();
    assertThat(share.afterOffers(500, clock)).isEqualTo(BufferBudget.Verdict.WITHIN);
    now.addAndGet(400);
    fill(b, "u", 60);
    assertThat(share.afterOffers(500, clock))
        .as("a new stretch over the level starts its own sustainMs")
        .isEqualTo(BufferBudget.Verdict.SHED);
  }

  /**
   * Regression: the condition was judged only by offer batches, so a client over its share whose
   * topics then fell silent was never closed while they stayed silent, and was closed at once by
   * their next change however long ago the stretch began.
   */
  @Test
  void aShareThatReadsNothingWhileItsTopicsAreSilentIsClosedAtSustainMs() {
    ClientBuffer b = buffer();
    BufferBudget.Share share = shedOnce(b);
    now.addAndGet(200);
    assertThat(share.checkSustained(500, clock)).as("ms until sustainMs is up").isEqualTo(300);
    now.addAndGet(300);
    assertThat(share.checkSustained(500, clock)).isEqualTo(BufferBudget.CLOSE_NOW);
  }

  @Test
  void aShareThatDrainsWhileItsTopicsAreSilentIsLetGo() {
    ClientBuffer b = buffer();
    BufferBudget.Share share = shedOnce(b);
    now.addAndGet(500);
    b.poll(new RecordingNothing());
    share.afterTurn();
    assertThat(share.checkSustained(500, clock))
        .as("it took something and no batch came since the stretch began")
        .isEqualTo(BufferBudget.NOT_OVER);
    assertThat(share.over()).isFalse();
  }

  @Test
  void whileBatchesKeepComingAShareThatReadsIsLeftToThem() {
    ClientBuffer b = buffer();
    BufferBudget.Share share = shedOnce(b);
    now.addAndGet(300);
    fill(b, "u", 10);
    assertThat(share.afterOffers(500, clock)).isEqualTo(BufferBudget.Verdict.SHED);
    b.poll(new RecordingNothing());
    now.addAndGet(200);
    assertThat(share.checkSustained(500, clock))
        .as("a batch came since: look again after a tick")
        .isEqualTo(BufferBudget.TICK_MS);
    assertThat(share.checkSustained(500, clock))
        .as("no batch came within that tick and it drains: let go")
        .isEqualTo(BufferBudget.NOT_OVER);
  }

  /** A sink that takes entries and keeps nothing. */
  private static final class RecordingNothing implements io.slipstream.core.buffer.BufferSink {
    @Override
    public void change(ChangeEvent event) {}

    @Override
    public void dropped(String topic, long from, long to, long count, DropReason reason) {}

    @Override
    public void conflated(String topic, long from, long to, long count) {}
  }
}
