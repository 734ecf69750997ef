package io.slipstream.server.connection;

import io.slipstream.core.session.Positions;
import io.slipstream.core.spi.OpenedSession;
import io.slipstream.core.spi.SessionAttachment;
import io.slipstream.core.spi.SessionStore;
import io.slipstream.core.topic.Position;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.eventbus.Lifecycle.Event;
import io.slipstream.server.metrics.ResumeOutcome;
import io.slipstream.server.protocol.ClientMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What ties one connection to its session (docs/protocol.md §7): opening or resuming the session in
 * the node's {@link SessionStore}, taking over the session's still-open connection (on this node or
 * another), and what the session records when the connection ends.
 *
 * <p>Confined to its connection's event loop; the futures it returns complete there too, whatever
 * thread the store answers on. A replaced connection on another event loop is reached only by a hop
 * onto its own loop, one on another node only through {@link RemoteConnections}.
 */
final class SessionBinding {

  private static final Logger LOG = Logger.getLogger(SessionBinding.class.getName());
  private static final AtomicBoolean SUSPEND_FAILURE_LOGGED = new AtomicBoolean();

  /**
   * What a {@code hello} bound: the welcome's fields, the topics to restore (topic → where from,
   * null for a snapshot), known at once or after taking over the session's old connection, null
   * when the session was taken over again meanwhile; and what to record should the connection have
   * ended before the store answered.
   */
  record Bound(
      String session,
      String token,
      boolean resumed,
      Future<Map<String, Position>> restore,
      Map<String, Position> ifEnded,
      String keptQos) {}

  private final String connectionId;
  private final Context context;
  private final ConnectionServices services;
  private final SlipstreamConfig config;
  private String session;
  private String clientId;

  SessionBinding(String connectionId, Context context, ConnectionServices services) {
    this.connectionId = connectionId;
    this.context = context;
    this.services = services;
    this.config = services.config();
  }

  /**
   * Records in the session that an operator moved this connection to class {@code qos}, so its
   * later connections start there (docs/protocol.md §5); a store that fails is logged, not fatal:
   * the class still applies to this connection.
   */
  void keepQos(String qos) {
    if (session == null) {
      return;
    }
    services
        .sessions()
        .keepQos(session, connectionId, qos)
        .whenComplete(
            (v, error) -> {
              if (error != null) {
                LOG.log(Level.WARNING, "session " + session + " could not keep its QoS class", error);
              }
            });
  }

  /**
   * Tells the store that the client of a resume has its {@code welcome}, with the session's new
   * token (it answered the {@code ping} message written after it), so that the token it resumed
   * with is retired; a store that fails is logged, not fatal: that token then resumes a little
   * longer, until the next resume replaces it.
   */
  void tokenDelivered() {
    services
        .sessions()
        .tokenDelivered(session, connectionId)
        .whenComplete(
            (v, error) -> {
              if (error != null) {
                LOG.log(
                    Level.WARNING,
                    "session " + session + " could not retire the token it was resumed with",
                    error);
              }
            });
  }

  /**
   * Opens or resumes the session of {@code hello}; call once, after its token was admitted. Every
   * topic the hello names in {@code positions} is restored, on a fresh session as on a resumed one
   * (docs/protocol.md §3), and its position wins over what the session recorded. Completes on this
   * connection's event loop; fails when the store could not answer.
   *
   * @param subject the token's {@code sub}, which overrides {@code hello.clientId}; or null
   */
  Future<Bound> bind(ClientMessage.Hello hello, String subject) {
    clientId = subject != null ? subject : hello.clientId();
    boolean resuming = hello.resume() != null;
    return onContext(services.sessions().open(hello.resume(), clientId, connectionId))
        .onFailure(e -> resumeEnded(resuming, ResumeOutcome.REFUSED))
        .map(
            opened -> {
              resumeEnded(
                  resuming, opened.resumed() ? ResumeOutcome.RESUMED : ResumeOutcome.EXPIRED);
              return bound(opened, hello.positions());
            });
  }

  private void resumeEnded(boolean resuming, ResumeOutcome outcome) {
    if (resuming) {
      services.metrics().resume(outcome);
    }
  }

  private Bound bound(OpenedSession opened, Map<String, Position> named) {
    session = opened.session();
    services
        .lifecycle()
        .publish(opened.resumed() ? Event.RESUMED : Event.CONNECTED, session, connectionId, null);
    SessionAttachment replaced = opened.replaced();
    if (replaced == null) {
      Map<String, Position> restore = overlay(opened.recorded(), named);
      return new Bound(
          session,
          opened.token(),
          opened.resumed(),
          Future.succeededFuture(restore),
          restore,
          opened.qos());
    }
    Future<Void> released =
        replaced.node().equals(services.sessions().node())
            ? services.connections().closeReplaced(replaced.connection())
            : services.remote().closeReplaced(replaced);
    // The recorded positions are older than what the replaced connection hands over; they stand
    // in only when it cannot be reached (its node is gone).
    return new Bound(
        session,
        opened.token(),
        true,
        takeOver(released, opened.recorded(), named),
        named,
        opened.qos());
  }

  /**
   * The client came back before its old connection was noticed dead: once that one has released
   * (closed with 1000, its positions handed over to the session), they are taken back here.
   */
  private Future<Map<String, Position>> takeOver(
      Future<Void> released, Map<String, Position> recorded, Map<String, Position> named) {
    return released
        .transform(
            closed ->
                onContext(services.sessions().takeHandedOver(session, connectionId))
                    .map(
                        handed -> {
                          if (handed == null) {
                            return null; // resumed elsewhere again: this connection is closing
                          }
                          Map<String, Position> taken =
                              closed.succeeded()
                                  ? handed
                                  : Positions.merge(recorded, handed, config.maxSubscriptions());
                          return overlay(taken, named);
                        })
                    // The store could not say what was handed over: what the session recorded.
                    .recover(e -> Future.succeededFuture(overlay(recorded, named))));
  }

  private <T> Future<T> onContext(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, context);
  }

  /**
   * {@code recorded} overlaid with the client's {@code named} positions: the client's word wins.
   */
  private static Map<String, Position> overlay(
      Map<String, Position> recorded, Map<String, Position> named) {
    if (named.isEmpty()) {
      return recorded;
    }
    Map<String, Position> restore = new LinkedHashMap<>(recorded);
    restore.putAll(named);
    return restore;
  }

  /** The session id, or null before the store answered the hello. */
  String sessionId() {
    return session;
  }

  /** The client id: the token's {@code sub}, else what the hello gave, or null. */
  String clientId() {
    return clientId;
  }

  /**
   * The connection ends: the session records {@code positions} (topic → where to resume) and is
   * suspended. Completes, on this event loop, once the store holds them (also when it failed,
   * which is logged); at once before the store answered the hello.
   */
  Future<Void> suspend(Map<String, Position> positions) {
    if (session == null) {
      return Future.succeededFuture();
    }
    return onContext(services.sessions().suspend(session, connectionId, positions))
        .otherwise(
            e -> {
              if (SUSPEND_FAILURE_LOGGED.compareAndSet(false, true)) {
                LOG.log(
                    Level.WARNING,
                    "the session store could not record a disconnect (the session keeps what it"
                        + " recorded before); further failures are not logged",
                    e);
              }
              return null;
            });
  }

  /** Publishes the {@code disconnected} event, saying why; nothing before hello. */
  void disconnected(String reason) {
    if (session != null) {
      services.lifecycle().publish(Event.DISCONNECTED, session, connectionId, reason);
    }
  }
}
