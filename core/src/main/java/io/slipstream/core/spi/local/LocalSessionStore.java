package io.slipstream.core.spi.local;

import io.slipstream.core.session.Session;
import io.slipstream.core.session.SessionRegistry;
import io.slipstream.core.spi.OpenedSession;
import io.slipstream.core.spi.SessionAttachment;
import io.slipstream.core.spi.SessionStore;
import io.slipstream.core.topic.Position;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The single-node {@link SessionStore}: the node's {@link SessionRegistry}, answered with
 * completed stages on the caller's thread. Its {@code maxSessions} bound is exact: opening a
 * session at the bound evicts the one suspended longest.
 *
 * <p>Thread-safe: the registry takes its own lock for each call; the listener is set once, before
 * the node serves.
 */
final class LocalSessionStore implements SessionStore {

  private static final System.Logger LOG = System.getLogger(LocalSessionStore.class.getName());

  /** The node id of every attachment: there is one node. */
  static final String NODE = "local";

  private final SessionRegistry registry;
  private final AtomicBoolean listenerFailed = new AtomicBoolean();
  private volatile Listener listener = (id, reason) -> {};

  LocalSessionStore(SessionRegistry registry) {
    this.registry = registry;
  }

  @Override
  public String node() {
    return NODE;
  }

  @Override
  public CompletionStage<OpenedSession> open(
      String resumeToken, String clientId, String connection) {
    SessionRegistry.Opened o = registry.open(resumeToken, clientId, connection);
    for (Session evicted : o.evicted()) {
      report(evicted.id(), "evicted: maxSessions reached");
    }
    SessionAttachment replaced =
        o.replacedConnection() == null ? null : new SessionAttachment(NODE, o.replacedConnection());
    return CompletableFuture.completedFuture(
        new OpenedSession(
            o.session().id(), o.token(), o.resumed(), o.recorded(), replaced, o.qos()));
  }

  @Override
  public CompletionStage<Void> suspend(
      String sessionId, String connection, Map<String, Position> positions) {
    Session s = registry.find(sessionId);
    if (s != null) {
      registry.suspend(s, connection, positions);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> keepQos(String sessionId, String connection, String qos) {
    Session s = registry.find(sessionId);
    if (s != null) {
      registry.keepQos(s, connection, qos);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> tokenDelivered(String sessionId, String connection) {
    Session s = registry.find(sessionId);
    if (s != null) {
      registry.tokenDelivered(s, connection);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Map<String, Position>> takeHandedOver(
      String sessionId, String connection) {
    Session s = registry.find(sessionId);
    return CompletableFuture.completedFuture(
        s == null ? null : registry.takeHandedOver(s, connection));
  }

  @Override
  public CompletionStage<Void> expireDue() {
    for (Session s : registry.expireDue()) {
      report(s.id(), "sessionTtlMs elapsed");
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Boolean> contains(String sessionId) {
    return CompletableFuture.completedFuture(registry.contains(sessionId));
  }

  @Override
  public int size() {
    return registry.size();
  }

  @Override
  public void listen(Listener listener) {
    this.listener = listener;
  }

  /** Tells the listener; a failing one is logged once and does not stop the store. */
  private void report(String sessionId, String reason) {
    try {
      listener.expired(sessionId, reason);
    } catch (RuntimeException e) {
      if (listenerFailed.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "session listener failed; further failures are not logged", e);
      }
    }
  }
}
