package io.slipstream.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipstream.core.topic.Position;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link SessionStore} (see its class doc), for every implementation: the local
 * one runs it ({@code LocalSessionStoreContractTest}), and a clustered one extends it from core's
 * test-jar, with one store per member, so that every resume here may cross nodes. An
 * implementation provides a {@link Fixture}.
 *
 * <p>Each test states one promise of docs/protocol.md §7 (guarantee 5 of the contract).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class SessionStoreContract {

  /**
   * The bounds a fixture is built with.
   *
   * @param ttlMs how long a suspended session is kept
   * @param maxSessions sessions kept (cluster-wide, as exact as the implementation says)
   * @param maxSubscriptions positions kept per session
   */
  protected record Bounds(long ttlMs, int maxSessions, int maxSubscriptions) {
    public Bounds {}
  }

  /** What the contract drives. Implementations are thread-safe. */
  protected interface Fixture extends AutoCloseable {

    /** How many nodes (stores) there are; at least one. */
    int nodes();

    /** The store of node {@code i}, {@code 0 <= i < nodes()}, its listener recording. */
    SessionStore store(int i);

    /** What the listeners of every node heard: session id → reason. */
    Map<String, String> expired();

    /**
     * Makes more than the TTL pass for every session suspended so far: a fake clock steps, a real
     * one is waited out.
     */
    void passTtl();

    /**
     * How far above {@code maxSessions} the sessions held (the sum of every node's {@link
     * SessionStore#size()}) may be once evictions are done: 0 for an exact bound.
     */
    int maxSessionsSlack();

    @Override
    void close();
  }

  /** Starts the stores with {@code bounds}, empty. */
  protected abstract Fixture start(Bounds bounds);

  /** The bounds most tests use; an implementation with real time may pick a longer TTL. */
  protected Bounds defaultBounds() {
    return new Bounds(60_000, 1_000, 8);
  }

  private Fixture fixture;

  @AfterEach
  void closeFixture() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private Fixture fixture() {
    return fixture(defaultBounds());
  }

  private Fixture fixture(Bounds bounds) {
    fixture = start(bounds);
    return fixture;
  }

  /** The last node: another one than node 0 whenever there are two. */
  private static SessionStore other(Fixture f) {
    return f.store(f.nodes() - 1);
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stage did not complete", e);
    }
  }

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
  void aFreshSessionGetsATokenThatNamesItAndIsHeld() {
    Fixture f = fixture();
    OpenedSession o = await(f.store(0).open(null, "client", "c1"));
    assertThat(o.resumed()).isFalse();
    assertThat(o.replaced()).isNull();
    assertThat(o.recorded()).isEmpty();
    assertThat(o.token()).startsWith(o.session() + ".");
    assertThat(await(f.store(0).contains(o.session()))).isTrue();
    assertThat(await(other(f).contains(o.session()))).isTrue();
    assertThat(await(other(f).contains("s-unknown"))).isFalse();
  }

  @Test
  void aSuspendedSessionResumesAnywhereWithWhatItRecordedAndItsTokenWorksOnce() {
    Fixture f = fixture();
    OpenedSession first = await(f.store(0).open(null, "client", "c1"));
    await(f.store(0).suspend(first.session(), "c1", positions("a", "e", 5, "b", "e", 0)));

    OpenedSession second = await(other(f).open(first.token(), null, "c2"));
    assertThat(second.resumed()).isTrue();
    assertThat(second.session()).isEqualTo(first.session());
    assertThat(second.replaced()).isNull();
    assertThat(second.recorded()).isEqualTo(positions("a", "e", 5, "b", "e", 0));
    assertThat(second.token()).isNotEqualTo(first.token()).startsWith(first.session() + ".");

    await(other(f).tokenDelivered(second.session(), "c2"));
    OpenedSession third = await(f.store(0).open(first.token(), null, "c3"));
    assertThat(third.resumed()).as("a token works once its successor was delivered").isFalse();
    assertThat(third.session()).isNotEqualTo(first.session());
  }

  @Test
  void anUnknownOrForgedTokenOpensAFreshSession() {
    Fixture f = fixture();
    OpenedSession held = await(f.store(0).open(null, null, "c1"));
    String secret = held.token().substring(held.session().length() + 1);
    List<String> bad =
        List.of(
            held.session() + ".forged",
            "s-unknown." + secret,
            held.session(),
            ".",
            "",
            held.token() + "x");
    for (String token : bad) {
      OpenedSession o = await(other(f).open(token, null, "c-" + token));
      assertThat(o.resumed()).as(token).isFalse();
      assertThat(o.session()).as(token).isNotEqualTo(held.session());
    }
    // The real token still works: forgeries did not retire it.
    assertThat(await(other(f).open(held.token(), null, "c2")).resumed()).isTrue();
  }

  @Test
  void resumingAnAttachedSessionNamesTheOldConnectionWhichHandsItsPositionsOver() {
    Fixture f = fixture();
    OpenedSession zeroth = await(f.store(0).open(null, null, "c0"));
    await(f.store(0).suspend(zeroth.session(), "c0", positions("a", "e", 1)));
    OpenedSession first = await(f.store(0).open(zeroth.token(), null, "c1"));
    OpenedSession second = await(other(f).open(first.token(), null, "c2"));
    assertThat(second.resumed()).isTrue();
    assertThat(second.replaced()).isEqualTo(new SessionAttachment(f.store(0).node(), "c1"));
    assertThat(second.recorded())
        .as("a fallback, should c1's hand-over never come")
        .isEqualTo(positions("a", "e", 1));

    await(f.store(0).suspend(first.session(), "c1", positions("a", "e", 4, "b", "e", 2)));
    assertThat(await(other(f).takeHandedOver(second.session(), "c2")))
        .isEqualTo(positions("a", "e", 4, "b", "e", 2));
    assertThat(await(other(f).takeHandedOver(second.session(), "c2"))).isEmpty();

    // The replaced connection's end did not suspend the session c2 holds: c2's own end does.
    await(other(f).suspend(second.session(), "c2", positions("a", "e", 6)));
    OpenedSession third = await(f.store(0).open(second.token(), null, "c3"));
    assertThat(third.replaced()).isNull();
    assertThat(third.recorded()).isEqualTo(positions("a", "e", 6));
  }

  @Test
  void theHoldersQosClassIsKeptAcrossResumesOnAnyNodeAndOthersCannotSetIt() {
    Fixture f = fixture();
    OpenedSession first = await(f.store(0).open(null, null, "c1"));
    assertThat(first.qos()).as("a fresh session keeps no class").isNull();
    await(f.store(0).keepQos(first.session(), "c9", "realtime")); // not the holder: ignored
    await(f.store(0).keepQos(first.session(), "c1", "bulk"));
    await(f.store(0).suspend(first.session(), "c1", positions("a", "e", 3)));

    OpenedSession second = await(other(f).open(first.token(), null, "c2"));
    assertThat(second.qos()).isEqualTo("bulk");
    assertThat(second.recorded()).isEqualTo(positions("a", "e", 3));

    // Moved again while attached, then resumed while still attached (taking the socket over).
    await(other(f).keepQos(second.session(), "c2", "realtime"));
    OpenedSession third = await(f.store(0).open(second.token(), null, "c3"));
    assertThat(third.qos()).isEqualTo("realtime");
    assertThat(third.replaced()).isEqualTo(new SessionAttachment(other(f).node(), "c2"));
    await(other(f).keepQos(second.session(), "c2", "standard")); // c2 no longer holds it
    await(f.store(0).suspend(third.session(), "c3", Map.of()));
    assertThat(await(other(f).open(third.token(), null, "c4")).qos()).isEqualTo("realtime");

    await(other(f).keepQos("s-unknown", "c4", "bulk")); // a session that is gone: nothing happens
  }

  @Test
  void onlyTheHolderTakesWhatWasHandedOver() {
    Fixture f = fixture();
    OpenedSession first = await(f.store(0).open(null, null, "c1"));
    OpenedSession second = await(other(f).open(first.token(), null, "c2"));
    OpenedSession third = await(f.store(0).open(second.token(), null, "c3"));
    assertThat(third.replaced()).isEqualTo(new SessionAttachment(other(f).node(), "c2"));
    await(f.store(0).suspend(first.session(), "c1", positions("a", "e", 1)));
    assertThat(await(other(f).takeHandedOver(second.session(), "c2")))
        .as("c2 was replaced")
        .isNull();
    await(other(f).suspend(second.session(), "c2", positions("b", "e", 2)));
    assertThat(await(f.store(0).takeHandedOver(third.session(), "c3")))
        .as("both replaced connections' positions reach the holder")
        .isEqualTo(positions("b", "e", 2, "a", "e", 1));
    assertThat(await(f.store(0).takeHandedOver("s-unknown", "c3"))).isNull();
  }

  @Test
  void positionsHandedOverAreKeptWhenTheHolderEndsBeforeTakingThem() {
    Fixture f = fixture();
    OpenedSession first = await(f.store(0).open(null, null, "c1"));
    OpenedSession second = await(other(f).open(first.token(), null, "c2"));
    await(f.store(0).suspend(first.session(), "c1", positions("a", "e", 3, "b", "e", 7)));
    // c2 ends before it took them; what it subscribed itself is newer.
    await(other(f).suspend(second.session(), "c2", positions("a", "e", 5)));

    OpenedSession third = await(f.store(0).open(second.token(), null, "c3"));
    assertThat(third.replaced()).isNull();
    assertThat(third.recorded())
        .containsExactlyInAnyOrderEntriesOf(positions("a", "e", 5, "b", "e", 7));
  }

  @Test
  void aReplacedConnectionThatEndsAfterItsSuccessorStillRecordsItsPositions() {
    Fixture f = fixture();
    OpenedSession first = await(f.store(0).open(null, null, "c1"));
    OpenedSession second = await(other(f).open(first.token(), null, "c2"));
    await(other(f).suspend(second.session(), "c2", positions("a", "e", 9)));
    await(f.store(0).suspend(first.session(), "c1", positions("a", "e", 2, "b", "e", 1)));

    OpenedSession third = await(other(f).open(second.token(), null, "c3"));
    assertThat(third.recorded())
        .as("the successor's own positions win")
        .containsExactlyInAnyOrderEntriesOf(positions("a", "e", 9, "b", "e", 1));
  }

  @Test
  void aSessionKeepsAtMostMaxSubscriptionsPositionsAndNullMeansASnapshot() {
    Fixture f = fixture();
    OpenedSession first = await(f.store(0).open(null, null, "c1"));
    OpenedSession second = await(other(f).open(first.token(), null, "c2"));
    Map<String, Position> many = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      many.put("t" + i, new Position("e", i));
    }
    Map<String, Position> snapshotOnly = new HashMap<>();
    snapshotOnly.put("s", null);
    await(f.store(0).suspend(first.session(), "c1", snapshotOnly));
    Map<String, Position> taken = await(other(f).takeHandedOver(second.session(), "c2"));
    assertThat(taken).containsOnlyKeys("s");
    assertThat(taken.get("s")).isNull();

    await(other(f).suspend(second.session(), "c2", many));
    OpenedSession third = await(f.store(0).open(second.token(), null, "c3"));
    assertThat(third.recorded()).hasSize(defaultBounds().maxSubscriptions());
  }

  @Test
  void aSuspendedSessionExpiresAfterItsTtlAndAnAttachedOneDoesNot() {
    Fixture f = fixture();
    OpenedSession suspended = await(f.store(0).open(null, null, "c1"));
    OpenedSession attached = await(other(f).open(null, null, "c2"));
    await(f.store(0).suspend(suspended.session(), "c1", positions("a", "e", 1)));

    f.passTtl();
    awaitExpired(f, suspended.session());
    assertThat(f.expired().get(suspended.session())).isEqualTo("sessionTtlMs elapsed");
    assertThat(await(other(f).contains(suspended.session()))).isFalse();
    assertThat(await(other(f).open(suspended.token(), null, "c3")).resumed()).isFalse();

    assertThat(f.expired()).doesNotContainKey(attached.session());
    OpenedSession again = await(f.store(0).open(attached.token(), null, "c4"));
    assertThat(again.resumed()).as("an attached session has no TTL").isTrue();
    assertThat(again.replaced()).isEqualTo(new SessionAttachment(other(f).node(), "c2"));
  }

  /**
   * Resumes racing with one token, from every node, before any welcome was delivered: each resumes
   * in turn and replaces the one before it, so exactly one holds the session at the end and every
   * other connection, the original holder included, is replaced exactly once (docs/protocol.md §7:
   * a token works until the welcome with its successor is delivered).
   */
  @Test
  void ofResumesRacingWithOneTokenFromEveryNodeEachReplacesTheOneBefore() throws Exception {
    Fixture f = fixture();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 20; round++) {
        OpenedSession held = await(f.store(0).open(null, null, "held-" + round));
        await(f.store(0).tokenDelivered(held.session(), "held-" + round));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<OpenedSession>> racers = new ArrayList<>();
        List<String> connections = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          SessionStore store = f.store(i % f.nodes());
          String connection = "r" + round + "-" + i;
          connections.add(connection);
          racers.add(
              pool.submit(
                  () -> {
                    go.await();
                    return await(store.open(held.token(), null, connection));
                  }));
        }
        go.countDown();
        List<String> replaced = new ArrayList<>();
        for (Future<OpenedSession> r : racers) {
          OpenedSession o = r.get(30, TimeUnit.SECONDS);
          assertThat(o.resumed()).as("round %d", round).isTrue();
          assertThat(o.session()).isEqualTo(held.session());
          assertThat(o.replaced()).as("round %d: each replaces the one before", round).isNotNull();
          replaced.add(o.replaced().connection());
        }
        List<String> everyone = new ArrayList<>(connections);
        everyone.add("held-" + round);
        assertThat(replaced)
            .as("round %d: every connection but the last holder replaced once", round)
            .doesNotHaveDuplicates()
            .hasSize(4)
            .isSubsetOf(everyone)
            .contains("held-" + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Regression: a resume rotated the token in the store before its welcome reached the client, so
   * a client that gave up waiting (its node failed over, or the hello timed out with 1012) came
   * back with the only token it had and got a fresh session, its subscriptions gone.
   */
  @Test
  void aTokenResumesUntilTheWelcomeWithItsSuccessorIsDelivered() {
    Fixture f = fixture();
    OpenedSession first = await(f.store(0).open(null, "client", "c1"));
    await(f.store(0).tokenDelivered(first.session(), "c1"));
    await(f.store(0).suspend(first.session(), "c1", positions("a", "e", 5)));

    OpenedSession lost = await(other(f).open(first.token(), null, "c2"));
    assertThat(lost.resumed()).isTrue();
    // c2's welcome never went out: its client comes back with the token it had.
    OpenedSession again = await(f.store(0).open(first.token(), null, "c3"));
    assertThat(again.resumed()).as("the undelivered welcome did not retire the token").isTrue();
    assertThat(again.session()).isEqualTo(first.session());
    assertThat(again.replaced()).isEqualTo(new SessionAttachment(other(f).node(), "c2"));
    assertThat(await(f.store(0).open(lost.token(), null, "c-lost")).resumed())
        .as("the token no client got was retired by the resume that replaced it")
        .isFalse();

    await(f.store(0).tokenDelivered(again.session(), "c3"));
    assertThat(await(other(f).open(first.token(), null, "c4")).resumed())
        .as("delivered: the old token works no more")
        .isFalse();
    await(other(f).tokenDelivered(again.session(), "c9")); // not the holder: nothing happens
    assertThat(await(other(f).open(again.token(), null, "c5")).resumed()).isTrue();
  }

  @Test
  void atMaxSessionsSuspendedSessionsAreEvictedAndReported() {
    Bounds b = defaultBounds();
    Fixture f = fixture(new Bounds(b.ttlMs(), 14, b.maxSubscriptions()));
    List<OpenedSession> opened = new ArrayList<>();
    for (int i = 0; i < 3 * 14; i++) {
      SessionStore store = f.store(i % f.nodes());
      OpenedSession o = await(store.open(null, null, "c" + i));
      await(store.suspend(o.session(), "c" + i, positions("a", "e", i)));
      opened.add(o);
    }
    int held = 0;
    for (int i = 0; i < f.nodes(); i++) {
      held += f.store(i).size();
    }
    assertThat(held).isBetween(1, 14 + f.maxSessionsSlack());
    int evicted = 3 * 14 - held;
    awaitCondition(
        "every eviction reported",
        () -> f.expired().values().stream().filter(r -> r.startsWith("evicted")).count()
            >= evicted);
    for (String id : f.expired().keySet()) {
      assertThat(await(f.store(0).contains(id))).as(id).isFalse();
    }
    // The newest session is never the one its own open evicted.
    assertThat(await(f.store(0).contains(opened.get(opened.size() - 1).session()))).isTrue();
  }

  private static void awaitExpired(Fixture f, String session) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!f.expired().containsKey(session)) {
      for (int i = 0; i < f.nodes(); i++) {
        await(f.store(i).expireDue());
      }
      pause(deadline, "session " + session + " expired");
    }
  }

  private static void awaitCondition(String what, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!done.getAsBoolean()) {
      pause(deadline, what);
    }
  }

  /**
   * Waits a little before the next look: a clustered store reports expiry and eviction from its
   * own background tasks, which have no event a test can await other than the report itself.
   */
  private static void pause(long deadline, String what) {
    if (System.nanoTime() > deadline) {
      throw new AssertionError("not within 60 s: " + what);
    }
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A listener that records what it hears, for fixtures. */
  protected static final class RecordingListener implements SessionStore.Listener {
    private final Map<String, String> heard;

    public RecordingListener(ConcurrentHashMap<String, String> heard) {
      this.heard = heard;
    }

    @Override
    public void expired(String sessionId, String reason) {
      heard.put(sessionId, reason);
    }
  }
}
