package io.slipstream.cluster.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.cluster.feed.RecordingSink.Fill;
import io.slipstream.cluster.log.LoggedChange;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link TopicReorder} against a model of the authority: batches of one epoch's seqs 1..N are
 * published, pushed in any order, some twice, some never; fills are served from the model (capped,
 * late, lost or failed); time passes; tips come. Whatever happens, what the node delivers is always
 * a prefix of 1..N in order with each seq once, the buffer stays within its bound, at most one fill
 * is outstanding, and once the pushes stop and tips and fills are answered, it is all of 1..N.
 */
class ReorderProperties {

  private static final ReorderLimits LIMITS = new ReorderLimits(6, 50, 500);

  enum Kind { PUBLISH, PUSH, PUSH_TWICE, DROP, TICK, TIP, SERVE, LOSE_FILL, FAIL_FILL }

  record Step(Kind kind, int arg) {}

  @Provide
  Arbitrary<List<Integer>> batchSizes() {
    return Arbitraries.integers().between(1, 4).list().ofMinSize(1).ofMaxSize(25);
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(
            Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 200))
        .as(Step::new)
        .list()
        .ofMaxSize(150);
  }

  /** The authority, the network and the node's clock. */
  private static final class World {
    final long[] now = {0};
    final RecordingSink sink = new RecordingSink();
    final TopicReorder reorder = new TopicReorder("t", LIMITS, () -> now[0], sink);
    final List<LoggedChange> log = new ArrayList<>();
    final List<FeedBatch> batches = new ArrayList<>();
    final List<FeedBatch> inFlight = new ArrayList<>();
    int published;
    Fill outstanding;
    long outstandingAt;
    int fillsSeen;

    World(List<Integer> sizes) {
      long seq = 1;
      for (int size : sizes) {
        List<LoggedChange> changes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          LoggedChange c = new LoggedChange(
              io.slipstream.core.topic.ChangeOp.UPDATE, "k" + seq, "{\"s\":" + seq + "}", seq,
              null);
          changes.add(c);
          log.add(c);
          seq++;
        }
        batches.add(new FeedBatch("t", "e1", seq - size, List.copyOf(changes)));
      }
      reorder.start("e1", 0);
    }

    long tip() {
      return published == 0 ? 0 : batches.get(published - 1).lastSeq();
    }

    void step(Step s) {
      switch (s.kind()) {
        case PUBLISH:
          if (published < batches.size()) {
            inFlight.add(batches.get(published++));
          }
          break;
        case PUSH:
        case PUSH_TWICE:
          if (!inFlight.isEmpty()) {
            int i = s.arg() % inFlight.size();
            FeedBatch b = s.kind() == Kind.PUSH ? inFlight.remove(i) : inFlight.get(i);
            reorder.offer(b);
          }
          break;
        case DROP:
          if (!inFlight.isEmpty()) {
            inFlight.remove(s.arg() % inFlight.size());
          }
          break;
        case TICK:
          now[0] += s.arg();
          reorder.poll();
          break;
        case TIP:
          reorder.tip("e1", tip());
          break;
        case SERVE:
          serve(1 + s.arg() % 5);
          break;
        case LOSE_FILL:
          outstanding = null;
          break;
        case FAIL_FILL:
          if (outstanding != null) {
            outstanding = null;
            reorder.fillFailed();
          }
          break;
        default:
          throw new AssertionError(s);
      }
      observe();
    }

    /** Answers the outstanding fill with at most {@code cap} changes, as a range read does. */
    void serve(int cap) {
      if (outstanding == null) {
        return;
      }
      Fill f = outstanding;
      outstanding = null;
      long to = Math.min(Math.min(f.toSeq(), f.afterSeq() + cap), tip());
      List<LoggedChange> answer =
          f.afterSeq() >= to ? List.of() : log.subList((int) f.afterSeq(), (int) to);
      reorder.filled("e1", f.afterSeq() + 1, List.copyOf(answer));
      observe();
    }

    /** Checks the invariants after every step and picks up a new fill request. */
    void observe() {
      List<Long> seqs = sink.seqs;
      for (int i = 0; i < seqs.size(); i++) {
        assertThat(seqs.get(i)).as("delivered in order, once each").isEqualTo(i + 1L);
      }
      for (int i = 0; i < seqs.size(); i++) {
        assertThat(sink.changes.get(i)).isSameAs(log.get(i));
      }
      assertThat(reorder.buffered()).isLessThanOrEqualTo(LIMITS.maxBufferedChanges());
      assertThat(sink.resyncs).isZero();
      while (fillsSeen < sink.fills.size()) {
        Fill f = sink.fills.get(fillsSeen++);
        if (outstanding != null && f.afterSeq() < outstanding.toSeq()) {
          assertThat(now[0] - outstandingAt)
              .as("a second fill only after the first timed out or was covered by pushes")
              .isGreaterThanOrEqualTo(LIMITS.fillTimeoutMs());
        }
        assertThat(f.afterSeq()).isEqualTo(seqs.size());
        assertThat(f.toSeq()).isGreaterThan(f.afterSeq()).isLessThanOrEqualTo(tip());
        outstanding = f;
        outstandingAt = now[0];
      }
    }
  }

  @Property(tries = 500)
  void everySeqIsDeliveredOnceInOrderWhateverTheNetworkDoes(
      @ForAll("batchSizes") List<Integer> sizes, @ForAll("steps") List<Step> steps) {
    World w = new World(sizes);
    for (Step s : steps) {
      w.step(s);
    }
    // The pushes stop (the rest are lost); tip checks and fills carry the node to the tip.
    while (w.published < w.batches.size()) {
      w.step(new Step(Kind.PUBLISH, 0));
    }
    w.inFlight.clear();
    int total = w.log.size();
    for (int round = 0; round < 200 && w.sink.seqs.size() < total; round++) {
      w.step(new Step(Kind.TIP, 0));
      w.serve(5);
      w.step(new Step(Kind.TICK, (int) LIMITS.fillTimeoutMs()));
    }
    assertThat(w.sink.seqs).hasSize(total);
    assertThat(w.reorder.waiting()).isFalse();
  }
}
