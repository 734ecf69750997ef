package io.slipstream.core.session;

import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.Position;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sessions of one node: opened or resumed by {@code hello}, suspended when their connection
 * ends, expired {@code sessionTtlMs} later, at most {@code maxSessions} of them.
 *
 * <p>Thread-safe: one lock, held only for map operations (a hello, a disconnect, a sweep), never on
 * the per-event path.
 *
 * <p>Resume tokens are 128 random bits from {@link SecureRandom}; the registry keeps only their
 * SHA-256, compares it in constant time, and replaces it at every {@code welcome}. A token resumes
 * until the welcome with its successor is known to be delivered ({@link #tokenDelivered}): a client that never
 * got that welcome keeps its session, and of resumes racing with one token each replaces the one
 * before. So a session has at most two token hashes in the lookup. At the bound, opening a
 * session evicts the session suspended longest; since {@code maxSessions} is at least {@code
 * maxConnections}, there is always one to evict.
 *
 * <p>Takeover (docs/protocol.md §7): a client may resume while its old connection is still open.
 * The session then moves to the new connection at once, and the old one, once closed, hands its
 * positions over ({@link #suspend} from a connection that no longer holds the session); the new
 * holder takes them with {@link #takeHandedOver}. Positions handed over are never lost: if the
 * holder ends first, they are kept with the session for its next resume. Each session keeps at most
 * {@code maxTopics} positions.
 */
public final class SessionRegistry {

  /**
   * How {@link #open} went.
   *
   * @param subscriptions the positions to restore; empty when {@code replacedConnection} is set,
   *     whose positions come through {@link #takeHandedOver} once it has closed
   * @param replacedConnection the connection that held the resumed session and must be closed, or
   *     null
   * @param recorded the positions the session recorded at its last suspension, also when {@code
   *     replacedConnection} is set (then only a fallback, should its hand-over never come)
   */
  public record Opened(
      Session session,
      String token,
      boolean resumed,
      Map<String, Position> subscriptions,
      String replacedConnection,
      List<Session> evicted,
      Map<String, Position> recorded,
      String qos) {}

  private final long ttlMs;
  private final int maxSessions;
  private final int maxTopics;
  private final Clock clock;
  private final Map<String, Session> byTokenHash = new HashMap<>();

  /** Every session; suspended ones in suspension order (oldest first) for eviction. */
  private final LinkedHashMap<String, Session> byId = new LinkedHashMap<>();

  /**
   * @param ttlMs how long a suspended session is kept ({@code sessionTtlMs}), on the clock's
   *     monotonic {@link Clock#millis()}
   * @param maxSessions most sessions kept
   * @param maxTopics most topic positions one session keeps ({@code maxSubscriptions})
   */
  public SessionRegistry(long ttlMs, int maxSessions, int maxTopics, Clock clock) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1, was " + maxSessions);
    }
    if (maxTopics < 1) {
      throw new IllegalArgumentException("maxTopics must be at least 1, was " + maxTopics);
    }
    this.ttlMs = ttlMs;
    this.maxSessions = maxSessions;
    this.maxTopics = maxTopics;
    this.clock = clock;
  }

  /**
   * Resumes the session of {@code resumeToken} when it is known and not expired, else opens a new
   * one; either way the session is attached to {@code connection} and gets a fresh token.
   *
   * @param resumeToken the client's token, or null
   */
  public synchronized Opened open(String resumeToken, String clientId, String connection) {
    List<Session> evicted = new ArrayList<>();
    Session s = resumeToken == null ? null : lookup(resumeToken);
    boolean resumed = s != null;
    String replaced = null;
    Map<String, Position> subscriptions = Map.of();
    Map<String, Position> recorded = Map.of();
    if (resumed) {
      recorded = s.subscriptions();
      replaced = s.connection();
      // While the old connection is open the recorded positions are stale: its own come later.
      subscriptions = replaced == null ? s.subscriptions() : Map.of();
      // The token used stays valid until the welcome with its successor is delivered
      // (tokenDelivered); the other one is either the token it retires or one never delivered.
      String used = Tokens.hash(resumeToken);
      forgetTokens(s);
      s.previousTokenHash(used);
      byTokenHash.put(used, s);
      // Re-insert so that suspension order stays oldest-first.
      byId.remove(s.id());
    } else {
      while (byId.size() >= maxSessions) {
        Session oldest = oldestSuspended();
        if (oldest == null) {
          break;
        }
        remove(oldest);
        evicted.add(oldest);
      }
      s = new Session(Tokens.newSessionId(), clientId);
    }
    s.attach(connection);
    byId.put(s.id(), s);
    // The id in front lets a clustered store find the session by key (SessionStore's contract).
    String token = Tokens.newToken(s.id());
    s.tokenHash(Tokens.hash(token));
    byTokenHash.put(s.tokenHash(), s);
    return new Opened(s, token, resumed, subscriptions, replaced, evicted, recorded, s.qos());
  }

  /**
   * Records the positions of {@code connection}, which has ended. When it still holds {@code
   * session}, the session is suspended with them and expires {@code sessionTtlMs} from now unless
   * resumed; when the session was resumed elsewhere meanwhile, they are handed over to it.
   */
  public synchronized void suspend(
      Session session, String connection, Map<String, Position> subscriptions) {
    if (byId.get(session.id()) != session) {
      return; // expired or evicted meanwhile
    }
    if (connection.equals(session.connection())) {
      // What was handed over and never taken stays, under this connection's own newer positions.
      session.suspend(clock.millis(), merge(session.handedOver(), subscriptions));
      session.handedOver(Map.of());
      byId.remove(session.id());
      byId.put(session.id(), session);
    } else if (session.connection() == null) {
      // Replaced, and its successor ended first: keep these behind the successor's positions.
      session.subscriptions(merge(subscriptions, session.subscriptions()));
    } else {
      session.handedOver(merge(session.handedOver(), subscriptions));
    }
  }

  /**
   * Records that {@code connection}, which holds {@code session}, was moved to QoS class {@code
   * qos}: the session's later connections start in it. Nothing happens to a session that another
   * connection holds by now, or that is gone.
   */
  public synchronized void keepQos(Session session, String connection, String qos) {
    if (byId.get(session.id()) == session && connection.equals(session.connection())) {
      session.qos(qos);
    }
  }

  /**
   * Takes the positions replaced connections handed over to {@code connection}, which holds {@code
   * session}: call once the replaced connection has closed.
   *
   * @return the positions (maybe empty), or null when {@code connection} no longer holds the
   *     session (it was resumed elsewhere again, or expired)
   */
  public synchronized Map<String, Position> takeHandedOver(Session session, String connection) {
    if (byId.get(session.id()) != session || !connection.equals(session.connection())) {
      return null;
    }
    Map<String, Position> taken = session.handedOver();
    session.handedOver(Map.of());
    return taken;
  }

  /**
   * The welcome that carries the token {@code connection} got from its resume was delivered: the
   * token that resume was made with no longer resumes the session. Nothing happens when another
   * connection holds the session by now, or it is gone.
   */
  public synchronized void tokenDelivered(Session s, String connection) {
    if (connection.equals(s.connection()) && s.previousTokenHash() != null) {
      byTokenHash.remove(s.previousTokenHash());
      s.previousTokenHash(null);
    }
  }

  /** Removes and returns the sessions suspended for longer than the TTL. */
  public synchronized List<Session> expireDue() {
    long now = clock.millis();
    List<Session> expired = new ArrayList<>();
    Iterator<Session> it = byId.values().iterator();
    while (it.hasNext()) {
      Session s = it.next();
      if (s.suspendedAt() >= 0 && now - s.suspendedAt() >= ttlMs) {
        it.remove();
        forgetTokens(s);
        expired.add(s);
      }
    }
    return expired;
  }

  /** Sessions held, attached or suspended. */
  public synchronized int size() {
    return byId.size();
  }

  /** Whether the session with {@code id} is held. */
  public synchronized boolean contains(String id) {
    return byId.containsKey(id);
  }

  /** The session with {@code id}, attached or suspended, or null when it is not held. */
  public synchronized Session find(String id) {
    return byId.get(id);
  }

  private Session lookup(String token) {
    String h = Tokens.hash(token);
    Session s = byTokenHash.get(h);
    if (s == null || !(hashIs(h, s.tokenHash()) || hashIs(h, s.previousTokenHash()))) {
      return null;
    }
    if (s.suspendedAt() >= 0 && clock.millis() - s.suspendedAt() >= ttlMs) {
      remove(s);
      return null;
    }
    return s;
  }

  private Map<String, Position> merge(Map<String, Position> older, Map<String, Position> newer) {
    return Positions.merge(older, newer, maxTopics);
  }

  private Session oldestSuspended() {
    for (Session s : byId.values()) {
      if (s.suspendedAt() >= 0) {
        return s;
      }
    }
    return null;
  }

  private static boolean hashIs(String h, String hash) {
    return hash != null
        && MessageDigest.isEqual(
            h.getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII));
  }

  /** Takes the session's token hashes (at most two) out of the lookup. */
  private void forgetTokens(Session s) {
    byTokenHash.remove(s.tokenHash());
    if (s.previousTokenHash() != null) {
      byTokenHash.remove(s.previousTokenHash());
      s.previousTokenHash(null);
    }
  }

  private void remove(Session s) {
    byId.remove(s.id());
    forgetTokens(s);
  }
}
