package io.slipstream.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.ChangeOp;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.Position;
import io.slipstream.core.topic.Topic;
import io.slipstream.server.topic.TopicRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catch-up state machine of one subscription, driven by hand against a real topic. */
class SubscriptionTest {

  private final TopicRegistry.Entry entry = new TopicRegistry(1, 10, 1 << 20).getOrCreate("t");
  private final Topic topic = entry.topic();

  private List<ChangeEvent> publish(int n) {
    List<ChangeRequest> changes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      changes.add(new ChangeRequest(ChangeOp.UPDATE, "k" + (i % 3), "{\"i\":" + i + "}"));
    }
    return topic.apply(changes, 1);
  }

  private static JsonObject json(byte[] frame) {
    return new JsonObject(new String(frame, StandardCharsets.UTF_8));
  }

  /** Reads catch-up frames until the subscription turns live. */
  private static List<JsonObject> drain(Subscription s) {
    List<JsonObject> out = new ArrayList<>();
    byte[] f;
    while ((f = s.nextCatchUpFrame()) != null) {
      out.add(json(f));
    }
    return out;
  }

  @Test
  void snapshotThenReplayOfWhatArrivedMeanwhileThenLive() {
    publish(5);
    Subscription s = new Subscription("t", entry, "id1");
    s.begin(null, false);
    JsonObject subscribed = json(s.nextCatchUpFrame());
    assertThat(subscribed.getString("type")).isEqualTo("subscribed");
    assertThat(subscribed.getLong("seq")).isEqualTo(5);
    assertThat(subscribed.getString("id")).isEqualTo("id1");
    assertThat(json(s.nextCatchUpFrame()).getInteger("size")).isEqualTo(3);
    // Two more changes land while the snapshot is being read: they come from the log after it.
    List<ChangeEvent> later = publish(2);
    List<JsonObject> rest = drain(s);
    assertThat(rest.subList(0, 3)).allSatisfy(m -> assertThat(m.getLong("seq")).isEqualTo(5));
    assertThat(rest.get(3).getString("phase")).isEqualTo("end");
    assertThat(rest.subList(4, 6)).extracting(m -> m.getLong("seq")).containsExactly(6L, 7L);
    assertThat(s.isLive()).isTrue();
    // Live events already covered by the replay are skipped; the next one is accepted.
    assertThat(s.acceptLive(later.get(1))).isEqualTo(Subscription.Live.SKIP);
    assertThat(s.acceptLive(publish(1).get(0))).isEqualTo(Subscription.Live.ACCEPT);
    assertThat(s.cursor()).isEqualTo(8);
  }

  @Test
  void aCatchUpOvertakenByTheLogIsResetToANewSnapshot() {
    publish(3);
    Subscription s = new Subscription("t", entry, null);
    s.begin(new Position(topic.view().epoch(), 1), false);
    assertThat(json(s.nextCatchUpFrame()).getString("mode")).isEqualTo("replay");
    assertThat(json(s.nextCatchUpFrame()).getLong("seq")).isEqualTo(2);
    // The log holds 10 events: 20 more overwrite seq 3 before the client has read it.
    publish(20);
    JsonObject reset = json(s.nextCatchUpFrame());
    assertThat(reset.getString("type")).isEqualTo("reset");
    assertThat(reset.getString("reason")).isEqualTo("out-of-window");
    JsonObject again = json(s.nextCatchUpFrame());
    assertThat(again.getString("mode")).isEqualTo("snapshot");
    assertThat(again.getLong("seq")).isEqualTo(23);
    List<JsonObject> rest = drain(s);
    assertThat(rest.get(rest.size() - 1).getString("phase")).isEqualTo("end");
    assertThat(s.isLive()).isTrue();
  }

  @Test
  void aResumeFromAnotherEpochAnnouncesTheReset() {
    publish(2);
    Subscription s = new Subscription("t", entry, null);
    s.begin(new Position("old-epoch", 2), true);
    JsonObject reset = json(s.nextCatchUpFrame());
    assertThat(reset.getString("reason")).isEqualTo("epoch-changed");
    assertThat(json(s.nextCatchUpFrame()).getString("mode")).isEqualTo("snapshot");
  }

  @Test
  void aSeqSkippedOnTheWayToTheConnectionSendsItBackToTheLog() {
    publish(1);
    Subscription s = new Subscription("t", entry, null);
    s.begin(null, false);
    drain(s);
    List<ChangeEvent> two = publish(2);
    assertThat(s.acceptLive(two.get(1))).isEqualTo(Subscription.Live.CATCH_UP);
    assertThat(drain(s)).extracting(m -> m.getLong("seq")).containsExactly(2L, 3L);
  }

  @Test
  void theResumePositionIsTheLastAckOrTheReplayStartButNeverAnUnackedSnapshot() {
    publish(4);
    Subscription snap = new Subscription("t", entry, null);
    snap.begin(null, false);
    drain(snap);
    assertThat(snap.resumePosition()).isNull();
    snap.ack(3);
    assertThat(snap.resumePosition()).isNull();
    snap.ack(4);
    assertThat(snap.resumePosition()).isEqualTo(new Position(topic.view().epoch(), 4));

    Subscription replay = new Subscription("t", entry, null);
    replay.begin(new Position(topic.view().epoch(), 2), false);
    assertThat(replay.resumePosition()).isEqualTo(new Position(topic.view().epoch(), 2));
    drain(replay);
    replay.ack(99);
    assertThat(replay.resumePosition().seq()).as("an ack beyond what was sent is capped").isEqualTo(4);
  }
  @Test
  void theLagCountsWhatWasPublishedSinceTheCatchUpLastMoved() {
    publish(5);
    Subscription snap = new Subscription("t", entry, null);
    snap.begin(null, false);
    assertThat(snap.lag()).isZero();
    snap.nextCatchUpFrame(); // subscribed
    publish(3);
    assertThat(snap.lag()).as("three published while it stood still").isEqualTo(3);
    snap.nextCatchUpFrame(); // snapshot begin: it moved
    assertThat(snap.lag()).isZero();
    publish(1);
    assertThat(snap.lag()).isEqualTo(1);
    drain(snap);
    assertThat(snap.lag()).as("live: nothing behind").isZero();

    Subscription replay = new Subscription("t", entry, null);
    replay.begin(new Position(topic.view().epoch(), 2), false);
    assertThat(replay.lag()).as("a replay the client asked for is no lag").isZero();
    publish(2);
    assertThat(replay.lag()).isEqualTo(2);
    replay.nextCatchUpFrame(); // subscribed
    assertThat(replay.lag()).as("what it kept moving through is not lag").isZero();
  }
}
