package io.slipstream.cluster.session;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import io.slipstream.cluster.session.SessionAnswer.Kind;
import io.slipstream.core.session.Tokens;
import io.slipstream.core.spi.OpenedSession;
import io.slipstream.core.spi.SessionAttachment;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.Position;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link ClusterSessionStore} over the {@code slipstream.sessions} IMap: key the session id, value
 * a {@link StoredSession}, changed only by this package's entry processors, called asynchronously
 * ({@code submitToKey}). The token is {@code <sessionId>.<secret>}, so one processor on one key
 * checks and rotates it; only its SHA-256 is stored. Suspended sessions expire by their entry's
 * TTL; this member reports the expiries and evictions of the entries it owns (a local listener), so
 * each is reported once in the cluster.
 *
 * <p>When a member leaves, the oldest member (the first in the member list after the change)
 * suspends the sessions held on it with {@link DetachNodes}, which starts their TTL: their
 * connections are gone and will never record their end. If that member leaves too before it is
 * done, the next oldest does not take over the earlier departure (with one backup, two members lost
 * at once lose data anyway); those sessions then stay until {@code maxSessions} evicts them or
 * their clients resume them.
 *
 * <p>Thread-safe. Stages complete on Hazelcast's threads. An indeterminate answer (the primary left
 * mid-call, a backup did not ack in time) is retried up to {@value #ATTEMPTS} times in all: every
 * processor here is idempotent. Background work (detaching) runs on one daemon thread with at most
 * one run pending.
 */
final class HazelcastSessionStore implements ClusterSessionStore {

  private static final Logger LOG = Logger.getLogger(HazelcastSessionStore.class.getName());

  /** Calls per processor, the first included, while the answers are indeterminate. */
  static final int ATTEMPTS = 3;

  /** The longest session id a resume token may name; longer ones are not looked up. */
  private static final int MAX_ID_LENGTH = 64;

  /** How long a failed detach waits before it runs again, and how often it may. */
  private static final long DETACH_RETRY_MS = 1_000;

  private static final int DETACH_ATTEMPTS = 60;

  private final HazelcastInstance hz;
  private final IMap<String, StoredSession> map;
  private final SessionLimits limits;
  private final Clock clock;
  private final String node;
  private final UUID entryListener;
  private final UUID membershipListener;
  private final AtomicBoolean listenerFailed = new AtomicBoolean();
  private volatile Listener listener = (id, reason) -> {};

  /** Nodes that left and whose sessions are not yet detached; a run is pending while non-empty. */
  private final Set<String> toDetach = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean detachScheduled = new AtomicBoolean();

  /** Runs detaches; holds at most one pending task (see {@link #detachSoon}). */
  private final ScheduledThreadPoolExecutor background;

  /**
   * @param mapName the map, configured by {@link SessionMap#config} ({@link SessionMap#MAP_NAME};
   *     tests give each case its own)
   */
  HazelcastSessionStore(HazelcastInstance hz, String mapName, SessionLimits limits, Clock clock) {
    this.hz = hz;
    this.map = hz.getMap(mapName);
    this.limits = limits;
    this.clock = clock;
    this.node = hz.getCluster().getLocalMember().getUuid().toString();
    this.background =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "slipstream-sessions-" + node.substring(0, 8));
              t.setDaemon(true);
              return t;
            });
    this.entryListener = map.addLocalEntryListener(new Ended());
    this.membershipListener = hz.getCluster().addMembershipListener(new Departures());
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public CompletionStage<OpenedSession> open(
      String resumeToken, String clientId, String connection) {
    String id = sessionIdOf(resumeToken);
    if (id == null) {
      return create(clientId, connection, 1);
    }
    String newToken = Tokens.newToken(id);
    return call(
            id,
            new ResumeSession(Tokens.hash(resumeToken), Tokens.hash(newToken), node, connection))
        .thenCompose(
            a -> {
              if (a.kind() != Kind.RESUMED) {
                return create(clientId, connection, 1);
              }
              SessionAttachment replaced =
                  a.replacedNode() == null
                      ? null
                      : new SessionAttachment(a.replacedNode(), a.replacedConnection());
              return CompletableFuture.completedFuture(
                  new OpenedSession(id, newToken, true, a.positions(), replaced, a.qos()));
            });
  }

  /** Stores a new session under a fresh id; another id when that one is taken (never, really). */
  private CompletionStage<OpenedSession> create(String clientId, String connection, int attempt) {
    String id = Tokens.newSessionId();
    String token = Tokens.newToken(id);
    return call(id, new OpenSession(clientId, Tokens.hash(token), node, connection))
        .thenCompose(
            a -> {
              if (a.kind() == Kind.CREATED) {
                return CompletableFuture.completedFuture(
                    new OpenedSession(id, token, false, Map.of(), null, null));
              }
              if (attempt >= ATTEMPTS) {
                return CompletableFuture.failedFuture(
                    new IllegalStateException(ATTEMPTS + " random session ids were all taken"));
              }
              return create(clientId, connection, attempt + 1);
            });
  }

  @Override
  public CompletionStage<Void> suspend(
      String sessionId, String connection, Map<String, Position> positions) {
    SuspendSession ep =
        new SuspendSession(
            node,
            connection,
            positions,
            limits.ttlMs(),
            limits.maxSubscriptions(),
            clock.wallMillis());
    return call(sessionId, ep).thenApply(a -> null);
  }

  @Override
  public CompletionStage<Void> keepQos(String sessionId, String connection, String qos) {
    return call(sessionId, new KeepQos(node, connection, qos)).thenApply(a -> null);
  }

  @Override
  public CompletionStage<Void> tokenDelivered(String sessionId, String connection) {
    return call(sessionId, new TokenDelivered(node, connection)).thenApply(a -> null);
  }

  @Override
  public CompletionStage<Map<String, Position>> takeHandedOver(
      String sessionId, String connection) {
    // Not retried: a second run after a first that took would find nothing to take.
    return map.submitToKey(sessionId, new TakeHandedOver(node, connection))
        .thenApply(a -> a.kind() == Kind.TAKEN ? a.positions() : null);
  }

  @Override
  public CompletionStage<Void> expireDue() {
    // Hazelcast expires entries by their TTL and reports them to the local listener.
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Boolean> contains(String sessionId) {
    return map.getAsync(sessionId).thenApply(Objects::nonNull);
  }

  @Override
  public int size() {
    return (int) Math.min(Integer.MAX_VALUE, map.getLocalMapStats().getOwnedEntryCount());
  }

  @Override
  public void listen(Listener listener) {
    this.listener = listener;
  }

  @Override
  public void close() {
    background.shutdownNow();
    if (hz.getLifecycleService().isRunning()) {
      map.removeEntryListener(entryListener);
      hz.getCluster().removeMembershipListener(membershipListener);
    }
  }

  /** The session id a token names, or null when it names none we would look up. */
  private static String sessionIdOf(String token) {
    if (token == null) {
      return null;
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot > MAX_ID_LENGTH || dot == token.length() - 1) {
      return null;
    }
    return token.substring(0, dot);
  }

  /** Calls {@code ep} on {@code key}, again while the answer is indeterminate. */
  private <R> CompletionStage<R> call(String key, EntryProcessor<String, StoredSession, R> ep) {
    return call(key, ep, 1);
  }

  private <R> CompletionStage<R> call(
      String key, EntryProcessor<String, StoredSession, R> ep, int attempt) {
    return map.submitToKey(key, ep)
        .handle(
            (r, e) -> {
              if (e == null) {
                return CompletableFuture.completedFuture(r);
              }
              if (attempt < ATTEMPTS && indeterminate(e)) {
                return call(key, ep, attempt + 1);
              }
              return CompletableFuture.<R>failedFuture(e);
            })
        .thenCompose(Function.identity());
  }

  /** Whether {@code error} (maybe wrapped) leaves open whether the call was applied. */
  private static boolean indeterminate(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof IndeterminateOperationStateException
        || t instanceof OperationTimeoutException;
  }

  private void report(String sessionId, String reason) {
    try {
      listener.expired(sessionId, reason);
    } catch (RuntimeException e) {
      if (listenerFailed.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "session listener failed; further failures are not logged", e);
      }
    }
  }

  /** Schedules one detach run unless one is pending; it takes every node left by then. */
  private void detachSoon(long delayMs, int attempt) {
    if (!detachScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      background.schedule(() -> detach(attempt), delayMs, TimeUnit.MILLISECONDS);
    } catch (RuntimeException shutDown) {
      detachScheduled.set(false);
    }
  }

  private void detach(int attempt) {
    detachScheduled.set(false);
    Set<String> gone = Set.copyOf(toDetach);
    if (gone.isEmpty()) {
      return;
    }
    try {
      map.executeOnEntries(
          new DetachNodes(gone, limits.ttlMs(), limits.maxSubscriptions(), clock.wallMillis()),
          new AttachedTo(gone));
      toDetach.removeAll(gone);
    } catch (HazelcastInstanceNotActiveException stopping) {
      return;
    } catch (RuntimeException e) {
      if (attempt >= DETACH_ATTEMPTS) {
        LOG.log(Level.WARNING, "gave up suspending the sessions of departed members " + gone, e);
        toDetach.removeAll(gone);
        return;
      }
      LOG.log(Level.FINE, "suspending the sessions of departed members failed; retrying", e);
      detachSoon(DETACH_RETRY_MS, attempt + 1);
      return;
    }
    if (!toDetach.isEmpty()) {
      detachSoon(0, 1);
    }
  }

  /** Reports the sessions whose entries this member owns as Hazelcast ends them. */
  private final class Ended
      implements EntryExpiredListener<String, StoredSession>,
          EntryEvictedListener<String, StoredSession> {

    @Override
    public void entryExpired(EntryEvent<String, StoredSession> event) {
      report(event.getKey(), "sessionTtlMs elapsed");
    }

    @Override
    public void entryEvicted(EntryEvent<String, StoredSession> event) {
      report(event.getKey(), "evicted: maxSessions reached");
    }
  }

  /** On a departure, the oldest member suspends the sessions held on the departed one. */
  private final class Departures implements MembershipListener {

    @Override
    public void memberAdded(MembershipEvent event) {}

    @Override
    public void memberRemoved(MembershipEvent event) {
      boolean oldest = event.getMembers().iterator().next().localMember();
      if (oldest) {
        toDetach.add(event.getMember().getUuid().toString());
        detachSoon(0, 1);
      }
    }
  }
}
