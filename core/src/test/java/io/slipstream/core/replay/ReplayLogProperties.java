package io.slipstream.core.replay;

import static io.slipstream.core.replay.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link ReplayLog} against the obvious model: after n appends into a ring of capacity c, exactly
 * seqs {@code max(1, n-c+1)..n} are readable (as the very events appended) and a client at seq f
 * can catch up exactly when {@code max(0, n-c) <= f <= n}. With a byte bound too, against a deque
 * that evicts its oldest items while one more would pass either bound: the log holds exactly the
 * deque's seqs, {@code covers} follows the deque's head, and the projected growth is what the
 * append then really adds.
 */
class ReplayLogProperties {

  @Property(tries = 300)
  void windowIsTheNewestCapacityEvents(
      @ForAll @IntRange(min = 1, max = 12) int capacity,
      @ForAll @IntRange(min = 0, max = 60) int appends) {
    ReplayLog<ChangeEvent> log = new ReplayLog<>(capacity);
    List<ChangeEvent> appended = new ArrayList<>();
    checkWindow(log, appended, capacity);
    for (long s = 1; s <= appends; s++) {
      ChangeEvent e = event(s);
      log.append(e);
      appended.add(e);
      checkWindow(log, appended, capacity);
    }
  }

  private static void checkWindow(
      ReplayLog<ChangeEvent> log, List<ChangeEvent> appended, int capacity) {
    long n = appended.size();
    long first = Math.max(1, n - capacity + 1);
    assertThat(log.lastSeq()).isEqualTo(n);
    assertThat(log.firstSeq()).isEqualTo(first);
    assertThat(log.capacity()).isEqualTo(capacity);
    for (long s = -2; s <= n + 3; s++) {
      ChangeEvent got = log.get(s);
      if (s >= first && s <= n) {
        assertThat(got).as("get(%d) after %d appends", s, n).isSameAs(appended.get((int) s - 1));
      } else {
        assertThat(got).as("get(%d) after %d appends", s, n).isNull();
      }
      boolean covered = s >= Math.max(0, n - capacity) && s <= n;
      assertThat(log.covers(s)).as("covers(%d) after %d appends", s, n).isEqualTo(covered);
      if (covered) {
        // covers(f) means exactly: every seq after f up to the newest can be read.
        for (long t = s + 1; t <= n; t++) {
          assertThat(log.get(t)).isNotNull();
        }
      }
    }
  }

  @Property(tries = 500)
  void byteBoundedLogMatchesTheModel(
      @ForAll @IntRange(min = 1, max = 40) int capacity,
      @ForAll @LongRange(min = 1, max = 400) long maxBytes,
      @ForAll @Size(max = 120) List<@LongRange(min = 0, max = 120) Long> sizes,
      @ForAll @IntRange(min = 1, max = 5) int batch) {
    ReplayLog<Sized> log = new ReplayLog<>(capacity, maxBytes, Sized::size);
    ArrayDeque<Sized> model = new ArrayDeque<>();
    long modelBytes = 0;
    long modelFirst = 1;
    long seq = 0;
    int mostHeld = 0;
    for (int from = 0; from < sizes.size(); from += batch) {
      List<Sized> next = new ArrayList<>();
      for (int i = from; i < Math.min(sizes.size(), from + batch); i++) {
        next.add(new Sized(++seq, sizes.get(i)));
      }
      long[] batchSizes = next.stream().mapToLong(Sized::size).toArray();
      long projected = log.footprintGrowth(batchSizes);
      long before = log.footprint();
      for (Sized item : next) {
        log.append(item);
        while (!model.isEmpty()
            && (model.size() >= capacity || modelBytes + item.size() > maxBytes)) {
          modelBytes -= model.removeFirst().size();
          modelFirst++;
        }
        if (item.size() > maxBytes) {
          modelFirst = item.seq() + 1;
        } else {
          model.addLast(item);
          modelBytes += item.size();
        }
        mostHeld = Math.max(mostHeld, model.size());
        log.checkInvariants();
      }
      assertThat(log.footprint() - before).as("projected growth").isEqualTo(projected);
      assertThat(log.bytes()).isEqualTo(modelBytes).isLessThanOrEqualTo(maxBytes);
      assertThat(log.size()).isEqualTo(model.size()).isLessThanOrEqualTo(capacity);
      assertThat(log.firstSeq()).isEqualTo(modelFirst);
      assertThat(log.lastSeq()).isEqualTo(seq);
      // The ring grows only for what was held at once, never to replayLogSize up front.
      assertThat(log.slotCount())
          .isLessThanOrEqualTo(Math.min(capacity, Math.max(ReplayLog.INITIAL_SLOTS, 2 * mostHeld)));
      for (long s = 0; s <= seq + 1; s++) {
        Sized got = log.get(s);
        boolean held = s >= modelFirst && s <= seq;
        assertThat(got != null).as("get(%d), window %d..%d", s, modelFirst, seq).isEqualTo(held);
        if (held) {
          assertThat(got.seq()).isEqualTo(s);
        }
        assertThat(log.covers(s)).as("covers(%d)", s).isEqualTo(s >= modelFirst - 1 && s <= seq);
      }
    }
  }
}
