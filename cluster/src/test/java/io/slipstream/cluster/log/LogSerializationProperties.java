package io.slipstream.cluster.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.map.EntryProcessor;
import io.slipstream.cluster.log.Publishes.Pub;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The serialized forms: what migration, replica sync, the backup and the caller see is what the
 * primary had. Every entry processor here crosses the wire as it would between members: the
 * primary runs a deserialized {@code Append}, the copy a deserialized {@code ApplyAt}.
 */
class LogSerializationProperties {

  private final InternalSerializationService ss =
      new DefaultSerializationServiceBuilder()
          .addDataSerializableFactory(LogSerialization.FACTORY_ID, LogSerialization.factory())
          .build();

  @SuppressWarnings("unchecked")
  private <T> T roundTrip(T o) {
    return (T) ss.toObject(ss.toData(o));
  }

  @Provide
  Arbitrary<List<Pub>> publishes() {
    return Publishes.publishes();
  }

  @Property(tries = 200)
  void logsProcessorsAndAnswersSurviveTheWire(@ForAll("publishes") List<Pub> pubs) {
    FakeEntry primary = FakeEntry.empty();
    FakeEntry copy = FakeEntry.empty();
    for (Pub p : pubs) {
      Append ep = roundTrip(p.append("e1"));
      AppendOutcome out = roundTrip(ep.process(primary));
      EntryProcessor<String, TopicLog, ?> backup = ep.getBackupProcessor();
      if (backup != null) {
        roundTrip(backup).process(copy);
      }
      if (out.applied()) {
        assertThat(out.epoch()).isEqualTo("e1");
      }
    }
    TopicLog log = primary.getValue();
    assertThat(copy.getValue() == null ? log == null : copy.getValue().sameState(log)).isTrue();
    if (log == null) {
      return;
    }
    assertThat(roundTrip(log).sameState(log)).isTrue();

    LogRead snap = roundTrip(roundTrip(ValidatedRead.snapshot(3)).process(primary));
    LogRead direct = ValidatedRead.snapshot(3).process(primary);
    assertThat(snap.lastSeq()).isEqualTo(log.lastSeq());
    assertThat(snap.firstSeq()).isEqualTo(direct.firstSeq());
    assertThat(snap.changes()).isEqualTo(direct.changes());
    assertThat(snap.rows().size()).isEqualTo(log.rows().size());
    LogTip tip = roundTrip(ReadTip.INSTANCE.process(primary));
    assertThat(tip.epoch()).isEqualTo("e1");
    assertThat(tip.lastSeq()).isEqualTo(log.lastSeq());
  }
}
