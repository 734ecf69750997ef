package io.slipstream.cluster.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.EntryProcessor;
import io.slipstream.cluster.log.Publishes.Pub;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The backup processors against a model: the primary's own history of states. Whatever order,
 * drops and repeats the backups reach a copy in, every step either leaves the copy in one of the
 * primary's states, at or after the one before, or throws and changes nothing. Delivered in order,
 * they make the copy equal to the primary.
 */
class BackupProperties {

  /** The primary's run: its state after each change, and the backups it sent. */
  private static final class PrimaryRun {
    final List<TopicLog> states = new ArrayList<>();
    final List<EntryProcessor<String, TopicLog, ?>> backups = new ArrayList<>();
    final FakeEntry entry = FakeEntry.empty();

    PrimaryRun(List<Pub> pubs) {
      states.add(null);
      for (Pub p : pubs) {
        Append ep = p.append("e1");
        AppendOutcome out = ep.process(entry);
        if (out.kind() == AppendOutcome.Kind.APPENDED) {
          states.add(entry.getValue().copy());
        }
        if (ep.getBackupProcessor() != null) {
          backups.add(ep.getBackupProcessor());
        }
      }
    }

    /** The index of the primary state {@code log} equals, or -1. */
    int indexOf(TopicLog log) {
      for (int i = 0; i < states.size(); i++) {
        TopicLog s = states.get(i);
        if (s == null ? log == null : s.sameState(log)) {
          return i;
        }
      }
      return -1;
    }
  }

  @Provide
  Arbitrary<List<Pub>> publishes() {
    return Publishes.publishes();
  }

  /** Steps relative to a cursor over the backups: mostly forward, with skips, repeats, returns. */
  @Provide
  Arbitrary<List<Integer>> schedule() {
    return Arbitraries.integers().between(-2, 3).list().ofMaxSize(60);
  }

  @Property(tries = 300)
  void anyScheduleLeavesTheCopyInAPrimaryStateOrRefuses(
      @ForAll("publishes") List<Pub> pubs, @ForAll("schedule") List<Integer> steps) {
    PrimaryRun run = new PrimaryRun(pubs);
    FakeEntry copy = FakeEntry.empty();
    int cursor = 0;
    int lastIndex = 0;
    for (int step : steps) {
      if (run.backups.isEmpty()) {
        return;
      }
      cursor = Math.floorMod(cursor + step, run.backups.size());
      TopicLog before = copy.getValue() == null ? null : copy.getValue().copy();
      try {
        run.backups.get(cursor).process(copy);
      } catch (BackupRefusedException refused) {
        assertThat(before == null ? copy.getValue() == null : before.sameState(copy.getValue()))
            .as("a refusal changes nothing")
            .isTrue();
      }
      int index = run.indexOf(copy.getValue());
      assertThat(index).as("the copy is one of the primary's states").isNotNegative();
      assertThat(index).as("the copy never goes back").isGreaterThanOrEqualTo(lastIndex);
      lastIndex = index;
    }
  }

  @Property(tries = 300)
  void backupsInOrderMakeTheCopyEqualToThePrimary(@ForAll("publishes") List<Pub> pubs) {
    PrimaryRun run = new PrimaryRun(pubs);
    FakeEntry copy = FakeEntry.empty();
    for (EntryProcessor<String, TopicLog, ?> b : run.backups) {
      b.process(copy);
    }
    TopicLog last = run.states.get(run.states.size() - 1);
    assertThat(last == null ? copy.getValue() == null : last.sameState(copy.getValue())).isTrue();
  }
}
