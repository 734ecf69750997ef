package io.slipstream.cluster.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.slipstream.core.spi.OpenedSession;
import io.slipstream.core.spi.SessionAttachment;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions outlive the member their connection was on (docs/protocol.md §9, guarantee 5 "also
 * after the node it was connected to died"): three members in this JVM, one terminated (its
 * sockets close at once, as after kill -9). Its clients resume on a survivor with what their
 * sessions recorded, and the sessions nobody resumes start their TTL when the departure is seen,
 * so they expire instead of staying attached to a dead node forever.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MemberDepartureIT {

  /**
   * Longer than the departure takes to settle: the returning client resumes only after the two
   * survivors see each other alone with their partitions safe, and that took up to 3.5 s on a
   * loaded 2-core box. With the TTL at 3 s, the departure's TTL (started by DetachNodes) now and
   * then ran out first and the resume correctly found no session: the flake of 2026-12-04 (1 in
   * 10-20 runs under load, "back.resumed()" false, the session reported "sessionTtlMs elapsed").
   */
  private static final long TTL_MS = 8_000;
  private static final SessionLimits LIMITS = new SessionLimits(TTL_MS, 1_000, 8);

  private final Members members = new Members(3, 0);
  private final ConcurrentHashMap<String, String> expired = new ConcurrentHashMap<>();
  private final List<HazelcastSessionStore> stores = new ArrayList<>();

  @AfterEach
  void stop() {
    stores.forEach(HazelcastSessionStore::close);
    members.close();
  }

  @Test
  void aDeadMembersSessionsResumeElsewhereOrStartTheirTtl() {
    for (HazelcastInstance hz : members.running) {
      HazelcastSessionStore s =
          new HazelcastSessionStore(hz, SessionMap.MAP_NAME, LIMITS, Clock.system());
      s.listen((id, reason) -> expired.put(id, reason));
      stores.add(s);
    }
    HazelcastSessionStore survivor = stores.get(0);
    HazelcastSessionStore doomed = stores.get(2);

    // Two clients on the doomed member, each having recorded a position, then reconnected there.
    OpenedSession orphan = reconnected(doomed, "a", new Position("e", 5));
    OpenedSession returning = reconnected(doomed, "b", new Position("e", 7));
    // A client on a survivor, attached throughout: it must not be touched.
    OpenedSession bystander = await(survivor.open(null, null, "by-1"));

    long departed = System.nanoTime();
    HazelcastInstance dead = members.running.remove(2);
    stores.remove(2);
    dead.getLifecycleService().terminate();
    members.awaitSize(2);

    OpenedSession back = await(stores.get(1).open(returning.token(), null, "back-1"));
    assertThat(back.resumed())
        .as(
            "resumed %d ms after the departure, within the %d ms TTL",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - departed),
            TTL_MS)
        .isTrue();
    assertThat(back.session()).isEqualTo(returning.session());
    assertThat(back.recorded()).isEqualTo(Map.of("b", new Position("e", 7)));
    if (back.replaced() != null) {
      // Resumed before the departure was acted on: the dead connection is named, and the server
      // falls back to the recorded positions when it cannot reach that node.
      assertThat(back.replaced()).isEqualTo(new SessionAttachment(doomed.node(), "again-b"));
    }

    Members.eventually("the orphaned session expired", () -> expired.containsKey(orphan.session()));
    assertThat(expired.get(orphan.session())).isEqualTo("sessionTtlMs elapsed");
    assertThat(await(survivor.contains(orphan.session()))).isFalse();
    assertThat(expired).doesNotContainKeys(returning.session(), bystander.session());
    assertThat(await(stores.get(1).open(bystander.token(), null, "by-2")).replaced())
        .isEqualTo(new SessionAttachment(survivor.node(), "by-1"));
  }

  /** A session opened on {@code store}, suspended with {@code topic@at}, resumed there again. */
  private static OpenedSession reconnected(
      HazelcastSessionStore store, String topic, Position at) {
    OpenedSession first = await(store.open(null, null, "first-" + topic));
    await(store.suspend(first.session(), "first-" + topic, Map.of(topic, at)));
    OpenedSession again = await(store.open(first.token(), null, "again-" + topic));
    assertThat(again.resumed()).isTrue();
    return again;
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stage did not complete", e);
    }
  }
}
