package io.slipstream.server.connection;

import io.slipstream.core.session.Session;
import io.slipstream.core.session.SessionRegistry;
import io.slipstream.core.topic.Position;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.eventbus.Lifecycle.Event;
import io.slipstream.server.protocol.ClientMessage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What ties one connection to its session (docs/protocol.md §7): the {@code hello} token check,
 * opening or resuming the session, and what the session records when the connection ends.
 *
 * <p>Confined to its connection's event loop. The session registry it talks to is thread-safe.
 */
final class SessionBinding {

  /** What a {@code hello} bound: the welcome's fields and the topics to restore. */
  record Bound(String session, String token, boolean resumed, Map<String, Position> restore) {}

  private final String connectionId;
  private final ConnectionServices services;
  private final SlipstreamConfig config;
  private Session session;
  private String clientId;

  SessionBinding(String connectionId, ConnectionServices services) {
    this.connectionId = connectionId;
    this.services = services;
    this.config = services.config();
  }

  /** Whether {@code token} may say hello: always without {@code jwtSecret}, else a valid JWT. */
  boolean authorized(String token) {
    return config.jwtSecret() == null
        || Jwt.isValid(token, config.jwtSecret(), services.clock().wallMillis());
  }

  /** Opens or resumes the session of {@code hello}; call once, after {@link #authorized}. */
  Bound bind(ClientMessage.Hello hello) {
    clientId = hello.clientId();
    SessionRegistry.Opened opened =
        services.sessions().open(hello.resume(), clientId, connectionId);
    session = opened.session();
    for (Session evicted : opened.evicted()) {
      services.lifecycle().publish(Event.EXPIRED, evicted.id(), null, "evicted: maxSessions reached");
    }
    if (opened.replacedConnection() != null) {
      // The client came back before its old socket was noticed dead: the new one wins.
      services.connections().closeReplaced(opened.replacedConnection());
    }
    services
        .lifecycle()
        .publish(opened.resumed() ? Event.RESUMED : Event.CONNECTED, session.id(), connectionId, null);
    Map<String, Position> restore = new LinkedHashMap<>();
    if (opened.resumed()) {
      // The session's topics, plus any the client names: if its old socket is not yet seen dead,
      // the session has not recorded that socket's subscriptions, but the client knows them.
      restore.putAll(opened.subscriptions());
      // The client's own position wins over the session's last ack.
      restore.putAll(hello.positions());
    }
    return new Bound(session.id(), opened.token(), opened.resumed(), restore);
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
