package io.slipstream.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.time.FakeClock;
import io.slipstream.core.topic.Position;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The session registry: tokens, suspension, expiry, and taking over a still-open connection. */
class SessionRegistryTest {

  private static final long TTL = 60_000;

  private final FakeClock clock = new FakeClock();
  private final SessionRegistry registry = new SessionRegistry(TTL, 100, 8, clock);

  private static Map<String, Position> positions(Object... topicEpochSeq) {
    Map<String, Position> m = new LinkedHashMap<>();
    for (int i = 0; i < topicEpochSeq.length; i += 3) {
      m.put(
          (String) topicEpochSeq[i],
          new Position((String) topicEpochSeq[i + 1], ((Number) topicEpochSeq[i + 2]).longValue()));
    }
    return m;
  }

  @Test
  void aSuspendedSessionResumesWithWhatItRecordedAndItsTokenWorksOnce() {
    SessionRegistry.Opened first = registry.open(null, "client", "c1");
    assertThat(first.resumed()).isFalse();
    registry.suspend(first.session(), "c1", positions("a", "e", 5));

    SessionRegistry.Opened second = registry.open(first.token(), null, "c2");
    assertThat(second.resumed()).isTrue();
    assertThat(second.session()).isSameAs(first.session());
    assertThat(second.replacedConnection()).isNull();
    assertThat(second.subscriptions()).isEqualTo(positions("a", "e", 5));

    assertThat(registry.open(first.token(), null, "c3").resumed())
        .as("until c2's welcome is delivered, the token c3 came with still resumes")
        .isTrue();
    registry.tokenDelivered(first.session(), "c3");
    assertThat(registry.open(first.token(), null, "c4").resumed()).isFalse();
  }

  @Test
  void resumingAnOpenSessionReplacesItsConnectionWhichHandsItsPositionsOver() {
    SessionRegistry.Opened first = registry.open(null, null, "c1");
    registry.suspend(first.session(), "c1", positions("a", "e", 1));
    SessionRegistry.Opened second = registry.open(first.token(), null, "c2");
    // c2 acks further while open; the client comes back on c3 before c2 is seen dead.
    SessionRegistry.Opened third = registry.open(second.token(), null, "c3");
    assertThat(third.resumed()).isTrue();
    assertThat(third.replacedConnection()).isEqualTo("c2");
    assertThat(third.subscriptions()).as("a@1 is stale while c2 is open").isEmpty();

    registry.suspend(second.session(), "c2", positions("a", "e", 4, "b", "e", 2));
    assertThat(registry.takeHandedOver(third.session(), "c3"))
        .isEqualTo(positions("a", "e", 4, "b", "e", 2));
    assertThat(registry.takeHandedOver(third.session(), "c3")).isEmpty();
    // c2's release did not suspend the session c3 holds.
    clock.advance(TTL);
    assertThat(registry.expireDue()).isEmpty();
  }

  @Test
  void onlyTheHolderTakesWhatWasHandedOver() {
    SessionRegistry.Opened first = registry.open(null, null, "c1");
    SessionRegistry.Opened second = registry.open(first.token(), null, "c2");
    SessionRegistry.Opened third = registry.open(second.token(), null, "c3");
    assertThat(third.replacedConnection()).isEqualTo("c2");
    registry.suspend(first.session(), "c1", positions("a", "e", 1));
    assertThat(registry.takeHandedOver(second.session(), "c2")).as("c2 was replaced").isNull();
    registry.suspend(second.session(), "c2", positions("b", "e", 2));
    // Both replaced connections' positions reach the holder.
    assertThat(registry.takeHandedOver(third.session(), "c3"))
        .isEqualTo(positions("a", "e", 1, "b", "e", 2));
  }

  @Test
  void positionsHandedOverAreKeptWhenTheHolderEndsBeforeTakingThem() {
    SessionRegistry.Opened first = registry.open(null, null, "c1");
    SessionRegistry.Opened second = registry.open(first.token(), null, "c2");
    registry.suspend(first.session(), "c1", positions("a", "e", 3, "b", "e", 7));
    // c2 ends before it took them; what it subscribed itself is newer.
    registry.suspend(second.session(), "c2", positions("a", "e", 5));

    SessionRegistry.Opened third = registry.open(second.token(), null, "c3");
    assertThat(third.replacedConnection()).isNull();
    assertThat(third.subscriptions())
        .containsExactlyInAnyOrderEntriesOf(positions("a", "e", 5, "b", "e", 7));
  }

  @Test
  void aReplacedConnectionThatEndsAfterItsSuccessorStillRecordsItsPositions() {
    SessionRegistry.Opened first = registry.open(null, null, "c1");
    SessionRegistry.Opened second = registry.open(first.token(), null, "c2");
    registry.suspend(second.session(), "c2", positions("a", "e", 9));
    registry.suspend(first.session(), "c1", positions("a", "e", 2, "b", "e", 1));

    SessionRegistry.Opened third = registry.open(second.token(), null, "c3");
    assertThat(third.subscriptions())
        .as("the successor's own positions win")
        .containsExactlyInAnyOrderEntriesOf(positions("a", "e", 9, "b", "e", 1));
  }

  @Test
  void aSessionKeepsAtMostMaxTopicsPositions() {
    SessionRegistry.Opened first = registry.open(null, null, "c1");
    SessionRegistry.Opened second = registry.open(first.token(), null, "c2");
    Map<String, Position> many = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      many.put("t" + i, new Position("e", i));
    }
    registry.suspend(first.session(), "c1", many);
    registry.suspend(second.session(), "c2", many);
    assertThat(registry.open(second.token(), null, "c3").subscriptions()).hasSize(8);
  }

  @Test
  void nullPositionsMeanASnapshotAndSurviveAHandover() {
    SessionRegistry.Opened first = registry.open(null, null, "c1");
    SessionRegistry.Opened second = registry.open(first.token(), null, "c2");
    Map<String, Position> snapshotOnly = new HashMap<>();
    snapshotOnly.put("a", null);
    registry.suspend(first.session(), "c1", snapshotOnly);
    Map<String, Position> taken = registry.takeHandedOver(second.session(), "c2");
    assertThat(taken).containsKey("a");
    assertThat(taken.get("a")).isNull();
  }

  @Test
  void aSuspendedSessionExpiresAfterItsTtlOnTheMonotonicClock() {
    SessionRegistry.Opened first = registry.open(null, null, "c1");
    registry.suspend(first.session(), "c1", Map.of());
    clock.advance(TTL - 1);
    assertThat(registry.expireDue()).isEmpty();
    clock.advance(1);
    assertThat(registry.expireDue()).containsExactly(first.session());
    assertThat(registry.open(first.token(), null, "c2").resumed()).isFalse();
  }

  /** Racing resumes with one token: each replaces the one before, so the last holds. */
  @Test
  void ofResumesRacingWithOneTokenEachReplacesTheOneBefore() throws Exception {
    SessionRegistry registry = new SessionRegistry(TTL, 10_000, 8, clock);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 200; round++) {
        SessionRegistry.Opened held = registry.open(null, null, "held-" + round);
        registry.tokenDelivered(held.session(), "held-" + round);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<SessionRegistry.Opened>> racers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          String connection = "r" + round + "-" + i;
          racers.add(
              pool.submit(
                  () -> {
                    go.await();
                    return registry.open(held.token(), null, connection);
                  }));
        }
        go.countDown();
        List<String> replaced = new ArrayList<>();
        for (Future<SessionRegistry.Opened> f : racers) {
          SessionRegistry.Opened o = f.get(10, TimeUnit.SECONDS);
          assertThat(o.resumed()).as("round %d", round).isTrue();
          assertThat(o.session()).isSameAs(held.session());
          replaced.add(o.replacedConnection());
        }
        assertThat(replaced)
            .as("round %d: every connection but the last holder replaced once", round)
            .doesNotContainNull()
            .doesNotHaveDuplicates()
            .contains("held-" + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
