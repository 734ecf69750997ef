package io.slipstream.core.spi;

import io.slipstream.core.topic.Position;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Where sessions live (docs/protocol.md §7): what a {@code hello} opens or resumes, what a
 * connection records when it ends, when a suspended session expires, and the hand-over of positions
 * from a connection that still held the session when its client resumed elsewhere.
 *
 * <p>Thread-safe: any thread may call any method; stages may complete on the store's own threads,
 * so callers hop back to their own context. Methods never block. A stage fails only when the store
 * cannot answer at all (a cluster without quorum, a call that timed out); every answer the
 * protocol knows is a value.
 *
 * <p>The contract every implementation keeps (and {@code SessionStoreContract} checks):
 *
 * <ul>
 *   <li>A resume token is {@code <sessionId>.<secret>} and is replaced by every {@link #open};
 *       the store keeps only a hash of it. It resumes the session until the {@code welcome} with
 *       its successor is known to be delivered ({@link #tokenDelivered}), each such resume replacing the one
 *       before, so of opens racing with one token the last holds the session; after that, and for
 *       an unknown, expired or forged token, open gives a fresh session.
 *   <li>A session is attached to one connection ({@link SessionAttachment}: node and connection
 *       id) from {@link #open} until that connection {@link #suspend}s it; only then does its
 *       {@code sessionTtlMs} run, after which it expires (reported to the {@link Listener}).
 *   <li>A resume while the session is attached to another connection attaches it to the new one at
 *       once and names the old one in {@link OpenedSession#replaced()}; the caller closes that one,
 *       whose {@link #suspend} then hands its positions over, and takes them with {@link
 *       #takeHandedOver}. Positions handed over are never lost: if the new holder ends first, they
 *       stay with the session, behind the holder's own.
 *   <li>Each session keeps at most {@code maxSubscriptions} positions; a store keeps at most about
 *       {@code maxSessions} sessions, evicting suspended ones first (each implementation says how
 *       exact that bound is); an evicted session is reported like an expired one.
 * </ul>
 */
public interface SessionStore {

  /** What the store tells the node about sessions it ends by itself. */
  @FunctionalInterface
  interface Listener {

    /**
     * The session is gone: its TTL elapsed, or it was evicted at {@code maxSessions}. Called at
     * most once per session and node, on any thread; must not block.
     *
     * @param reason why, for the lifecycle event ({@code sessionTtlMs elapsed}, {@code evicted:
     *     maxSessions reached})
     */
    void expired(String sessionId, String reason);
  }

  /** This node's id as the store records it in {@link SessionAttachment#node()}. */
  String node();

  /**
   * Resumes the session of {@code resumeToken} when it is live, else opens a new one; either way
   * attaches it to {@code connection} on this node and rotates its token.
   *
   * @param resumeToken the client's {@code hello.resume}, or null
   * @param clientId the client's {@code hello.clientId}, or null
   * @param connection this node's id of the connection that said hello
   */
  CompletionStage<OpenedSession> open(String resumeToken, String clientId, String connection);

  /**
   * Records the positions of {@code connection} (on this node), which has ended. When it still
   * holds the session, the session is suspended with them (and what was handed over to it and not
   * taken, under them) and its TTL starts; when the session is held by another connection, they
   * are handed over to it; when it is suspended already (its holder ended first), they are kept
   * behind the recorded ones. Nothing happens to a session that is gone.
   *
   * @param positions topic → where to resume (a null value: from a snapshot)
   */
  CompletionStage<Void> suspend(
      String sessionId, String connection, Map<String, Position> positions);

  /**
   * Records that {@code connection} (on this node), which holds the session, was moved to QoS class
   * {@code qos} by an operator (docs/protocol.md §5): every later {@link #open} of the session
   * answers it in {@link OpenedSession#qos()}. Nothing happens to a session another connection
   * holds by now, or that is gone.
   */
  CompletionStage<Void> keepQos(String sessionId, String connection, String qos);

  /**
   * Records that the client of {@code connection} (on this node), which holds the session after a
   * resume, has the {@code welcome} carrying its new token (the server knows it once the client
   * answered the {@code ping} message written after that welcome): from now on the token that resume was made with
   * opens a fresh session. Until then it still resumes the session (replacing {@code connection}),
   * so a client whose welcome never came, because it gave up waiting or its socket or node died or
   * froze first, keeps its session with the only token it has. Nothing happens when another
   * connection holds the session by now, or it is gone.
   */
  CompletionStage<Void> tokenDelivered(String sessionId, String connection);

  /**
   * Takes the positions replaced connections handed over to {@code connection} (on this node),
   * which holds the session: call once the replaced connection has ended.
   *
   * @return the positions (maybe empty), or null when {@code connection} no longer holds the
   *     session (it was resumed elsewhere again, or is gone)
   */
  CompletionStage<Map<String, Position>> takeHandedOver(String sessionId, String connection);

  /**
   * Expires the sessions whose TTL has elapsed, reporting each to the listener. A store whose
   * sessions expire by themselves (a clustered map with per-entry TTLs) does nothing here; the
   * node calls it about once a second.
   */
  CompletionStage<Void> expireDue();

  /** Whether the session {@code sessionId} is held (attached or suspended); for tools and tests. */
  CompletionStage<Boolean> contains(String sessionId);

  /**
   * Sessions this node holds, cheaply and without blocking: all of them on a single node; in a
   * cluster those whose primary copy is on this member. For metrics and tests.
   */
  int size();

  /** Sets who hears of sessions the store ends by itself; call once, before the first open. */
  void listen(Listener listener);
}
