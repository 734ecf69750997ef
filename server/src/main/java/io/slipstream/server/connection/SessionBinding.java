package io.slipstream.server.connection;

import io.slipstream.core.session.Session;
import io.slipstream.core.session.SessionRegistry;
import io.slipstream.core.topic.Position;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.eventbus.Lifecycle.Event;
import io.slipstream.server.protocol.ClientMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What ties one connection to its session (docs/protocol.md §7): the {@code hello} token check,
 * opening or resuming the session, taking over the session's still-open connection, and what the
 * session records when the connection ends.
 *
 * <p>Confined to its connection's event loop; the futures it returns complete there too. The
 * session and connection registries it talks to are thread-safe, and a replaced connection on
 * another event loop is reached only by a hop onto its own loop.
 */
final class SessionBinding {

  /**
   * What a {@code hello} bound: the welcome's fields, and the topics to restore (topic → where
   * from, null for a snapshot), known at once or after taking over the session's old connection;
   * null when the session was taken over again meanwhile (this connection is then being closed).
   */
  record Bound(
      String session, String token, boolean resumed, Future<Map<String, Position>> restore) {}

  private final String connectionId;
  private final Context context;
  private final ConnectionServices services;
  private final SlipstreamConfig config;
  private Session session;
  private String clientId;

  SessionBinding(String connectionId, Context context, ConnectionServices services) {
    this.connectionId = connectionId;
    this.context = context;
    this.services = services;
    this.config = services.config();
  }

  /** Whether {@code token} may say hello: always without {@code jwtSecret}, else a valid JWT. */
  boolean authorized(String token) {
    return config.jwtSecret() == null
        || Jwt.isValid(
            token, config.jwtSecret(), services.clock().wallMillis(), config.jwtRequireExp());
  }

  /** What an {@code unauthorized} error says a token must be. */
  String tokenRule() {
    return config.jwtRequireExp()
        ? "hello.token must be an HS256, HS384 or HS512 JWT signed with the server's secret,"
            + " with an exp that has not passed"
        : "hello.token must be an HS256, HS384 or HS512 JWT signed with the server's secret;"
            + " its exp, if any, must not have passed";
  }

  /**
   * Opens or resumes the session of {@code hello}; call once, after {@link #authorized}. Every
   * topic the hello names in {@code positions} is restored, on a fresh session as on a resumed one
   * (docs/protocol.md §3), and its position wins over what the session recorded.
   */
  Bound bind(ClientMessage.Hello hello) {
    clientId = hello.clientId();
    SessionRegistry.Opened opened =
        services.sessions().open(hello.resume(), clientId, connectionId);
    session = opened.session();
    for (Session evicted : opened.evicted()) {
      services
          .lifecycle()
          .publish(Event.EXPIRED, evicted.id(), null, "evicted: maxSessions reached");
    }
    services
        .lifecycle()
        .publish(
            opened.resumed() ? Event.RESUMED : Event.CONNECTED, session.id(), connectionId, null);
    Future<Map<String, Position>> restore;
    if (opened.replacedConnection() == null) {
      restore = Future.succeededFuture(overlay(opened.subscriptions(), hello.positions()));
    } else {
      restore = takeOver(opened.replacedConnection(), hello.positions());
    }
    return new Bound(session.id(), opened.token(), opened.resumed(), restore);
  }

  /**
   * The client came back before its old connection was noticed dead: that one is closed with 1000
   * on its own event loop, hands its positions over to the session as it releases, and they are
   * taken back here.
   */
  private Future<Map<String, Position>> takeOver(String replaced, Map<String, Position> named) {
    Promise<Map<String, Position>> restore = Promise.promise();
    services
        .connections()
        .closeReplaced(replaced)
        .onComplete(
            released ->
                context.runOnContext(
                    v -> {
                      Map<String, Position> handed =
                          services.sessions().takeHandedOver(session, connectionId);
                      restore.complete(handed == null ? null : overlay(handed, named));
                    }));
    return restore.future();
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

  /** The session id, or null before hello. */
  String sessionId() {
    return session == null ? null : session.id();
  }

  /** The client id the hello gave, or null. */
  String clientId() {
    return clientId;
  }

  /**
   * The connection ends: the session records {@code positions} (topic → where to resume) and is
   * suspended. Nothing happens before hello.
   */
  void suspend(Map<String, Position> positions) {
    if (session != null) {
      services.sessions().suspend(session, connectionId, positions);
    }
  }

  /** Publishes the {@code disconnected} event, saying why; nothing before hello. */
  void disconnected(String reason) {
    if (session != null) {
      services.lifecycle().publish(Event.DISCONNECTED, session.id(), connectionId, reason);
    }
  }
}
