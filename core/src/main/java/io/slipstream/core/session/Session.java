package io.slipstream.core.session;

import io.slipstream.core.topic.Position;
import java.util.Collections;
import java.util.Map;

/**
 * What a client's session remembers between connections: its id, client id, and for each subscribed
 * topic the last position the client acknowledged (or null when unknown, meaning the topic restarts
 * from a snapshot).
 *
 * <p>Guarded by its {@link SessionRegistry}'s lock; the registry hands out immutable copies of its
 * subscriptions.
 *
 * <p>Besides the positions recorded when it was last suspended, a session holds those a replaced
 * connection handed over (its client resumed elsewhere while it was still open) until the
 * connection that holds the session now takes them.
 */
public final class Session {

  private final String id;
  private final String clientId;
  private Map<String, Position> subscriptions = Collections.emptyMap();
  private Map<String, Position> handedOver = Collections.emptyMap();
  private String tokenHash;

  /**
   * The hash of the token the last resume was made with, while the welcome carrying its successor
   * has not been delivered; null once it was (or for a session never resumed).
   */
  private String previousTokenHash;

  private String connection;
  private long suspendedAt = -1;
  /** The QoS class an operator moved the session's connection to, or null (docs/protocol.md §5). */
  private String qos;

  Session(String id, String clientId) {
    this.id = id;
    this.clientId = clientId;
  }

  /** The session id, as sent in {@code welcome.session}. */
  public String id() {
    return id;
  }

  /** The client id the session was opened with, or null. */
  public String clientId() {
    return clientId;
  }

  String tokenHash() {
    return tokenHash;
  }

  void tokenHash(String hash) {
    this.tokenHash = hash;
  }

  String previousTokenHash() {
    return previousTokenHash;
  }

  void previousTokenHash(String hash) {
    this.previousTokenHash = hash;
  }

  /** The connection holding the session, or null while suspended. */
  String connection() {
    return connection;
  }

  void attach(String connection) {
    this.connection = connection;
    this.suspendedAt = -1;
  }

  void suspend(long now, Map<String, Position> subscriptions) {
    this.connection = null;
    this.suspendedAt = now;
    this.subscriptions = subscriptions;
  }

  /**
   * Records {@code subscriptions} without suspending (a replaced connection's, while suspended).
   */
  void subscriptions(Map<String, Position> subscriptions) {
    this.subscriptions = subscriptions;
  }

  /** Positions handed over by replaced connections, not yet taken; never null. */
  Map<String, Position> handedOver() {
    return handedOver;
  }

  void handedOver(Map<String, Position> positions) {
    this.handedOver = positions;
  }

  String qos() {
    return qos;
  }

  void qos(String qos) {
    this.qos = qos;
  }

  long suspendedAt() {
    return suspendedAt;
  }

  /** Topic → last acknowledged position (null values: restart from a snapshot). */
  Map<String, Position> subscriptions() {
    return subscriptions;
  }
}
