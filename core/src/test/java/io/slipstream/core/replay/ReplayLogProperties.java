package io.slipstream.core.replay;

import static io.slipstream.core.replay.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.topic.ChangeEvent;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link ReplayLog} against the obvious model: after n appends into a ring of capacity c, exactly
 * seqs {@code max(1, n-c+1)..n} are readable (as the very events appended) and a client at seq f
 * can catch up exactly when {@code max(0, n-c) <= f <= n}.
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

  private static void checkWindow(ReplayLog<ChangeEvent> log, List<ChangeEvent> appended, int capacity) {
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
}
