package io.slipstream.core.topic;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link Topic} under random batches of INSERT/UPDATE/DELETE: seqs are gap-free from 1; the view
 * captured at any seq S plus the events after S equals the state at every later seq, and the state
 * a model map reaches replaying from seq 1 (docs/protocol.md §5, snapshot consistency); the replay
 * log holds the very events returned; and {@code canReplayFrom} is true exactly for a position of
 * the same epoch within the log window.
 */
class TopicProperties {

  /** The test encoder: the frame names topic and seq, padded to vary the event size. */
  static final ChangeEncoder ENCODER =
      e -> (e.topic() + ":" + e.seq() + " ".repeat((int) (e.seq() % 7))).getBytes(UTF_8);

  @Property(tries = 300)
  void snapshotPlusTailEqualsStateReplayedFromOne(
      @ForAll("batches") List<List<ChangeRequest>> batches,
      @ForAll @IntRange(min = 1, max = 40) int replayLogSize) {
    Topic topic = new Topic("orders.eu-1", replayLogSize, ENCODER);
    String epoch = topic.view().epoch();
    assertThat(topic.view().seq()).isZero();
    assertThat(topic.view().rows().size()).isZero();

    List<TopicView> views = new ArrayList<>();
    List<ChangeEvent> events = new ArrayList<>();
    views.add(topic.view());
    long ts = 1_000;
    for (List<ChangeRequest> batch : batches) {
      ts += 7;
      long before = topic.view().seq();
      List<ChangeEvent> out = topic.apply(batch, ts);
      assertThat(out).hasSameSizeAs(batch);
      for (int i = 0; i < out.size(); i++) {
        ChangeEvent e = out.get(i);
        ChangeRequest c = batch.get(i);
        assertThat(e.seq()).as("gap-free seqs").isEqualTo(before + i + 1);
        assertThat(e.seq()).isEqualTo(events.size() + 1);
        assertThat(e.topic()).isEqualTo("orders.eu-1");
        assertThat(e.epoch()).isEqualTo(epoch);
        assertThat(e.op()).isEqualTo(c.op());
        assertThat(e.key()).isEqualTo(c.key());
        assertThat(e.row()).isEqualTo(c.row());
        assertThat(e.ts()).isEqualTo(ts);
        assertThat(e.frame()).isEqualTo(ENCODER.encode(e));
        assertThat(e.size()).isEqualTo(e.frame().length);
        events.add(e);
      }
      TopicView v = topic.view();
      assertThat(v.epoch()).isEqualTo(epoch);
      assertThat(v.seq()).isEqualTo(events.size());
      assertThat(v.position()).isEqualTo(new Position(epoch, events.size()));
      views.add(v);
    }

    // The model: every event replayed from seq 1.
    Map<String, Row> model = replay(new HashMap<>(), events, 0, events.size());
    TopicView last = topic.view();
    assertThat(RowMapProperties.iterate(last.rows())).isEqualTo(model);
    assertThat(last.rows().size()).isEqualTo(model.size());

    // Guarantee 2: the view at S plus every event after S equals the state at each later T.
    for (TopicView atS : views) {
      for (TopicView atT : views) {
        if (atT.seq() < atS.seq()) {
          continue;
        }
        Map<String, Row> replayed =
            replay(RowMapProperties.iterate(atS.rows()), events, atS.seq(), atT.seq());
        assertThat(replayed)
            .as("view at %d + events (%d, %d]", atS.seq(), atS.seq(), atT.seq())
            .isEqualTo(RowMapProperties.iterate(atT.rows()));
      }
      assertThat(RowMapProperties.iterate(atS.rows()))
          .as("view at %d equals the model replayed from 1", atS.seq())
          .isEqualTo(replay(new HashMap<>(), events, 0, atS.seq()));
    }

    // The log holds the very events returned, for the newest replayLogSize seqs.
    long n = events.size();
    assertThat(topic.log().lastSeq()).isEqualTo(n);
    for (long s = 1; s <= n; s++) {
      ChangeEvent inLog = topic.log().get(s);
      if (s > n - replayLogSize) {
        assertThat(inLog).isSameAs(events.get((int) s - 1));
      } else {
        assertThat(inLog).isNull();
      }
    }

    // Catch-up decision: same epoch and within the window.
    for (long f = 0; f <= n + 2; f++) {
      boolean inWindow = f <= n && f >= Math.max(0, n - replayLogSize);
      assertThat(topic.canReplayFrom(new Position(epoch, f)))
          .as("canReplayFrom(%d) with %d events and log %d", f, n, replayLogSize)
          .isEqualTo(inWindow);
      assertThat(topic.canReplayFrom(new Position(epoch + "x", f))).isFalse();
      assertThat(topic.canReplayFrom(new Position(Topic.newEpoch(), f))).isFalse();
    }
  }

  /** Applies events with seq in (from, to] to {@code state}, as a subscriber would. */
  static Map<String, Row> replay(
      Map<String, Row> state, List<ChangeEvent> events, long from, long to) {
    for (ChangeEvent e : events) {
      if (e.seq() <= from || e.seq() > to) {
        continue;
      }
      if (e.op() == ChangeOp.DELETE) {
        state.remove(e.key());
      } else {
        state.put(e.key(), new Row(e.row(), e.ts()));
      }
    }
    return state;
  }

  @Provide
  Arbitrary<List<List<ChangeRequest>>> batches() {
    Arbitrary<String> keys = Arbitraries.of("a", "b", "c", "d", "e", "Aa", "BB", "k-1", "k-2");
    Arbitrary<ChangeOp> ops = Arbitraries.of(ChangeOp.class);
    Arbitrary<Integer> values = Arbitraries.integers().between(0, 999);
    Arbitrary<ChangeRequest> change =
        Combinators.combine(ops, keys, values)
            .as(
                (op, key, v) ->
                    new ChangeRequest(op, key, op.needsRow() ? "{\"v\":" + v + "}" : null));
    return change
        .list()
        .ofMaxSize(6)
        .list()
        .ofMaxSize(25)
        .withSizeDistribution(RandomDistribution.uniform());
  }
}
