package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.slipstream.core.session.Positions;
import io.slipstream.core.topic.Position;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * One session as the {@code slipstream.sessions} map holds it (key: the session id): the hash of
 * its current resume token, the connection holding it (node and connection id) or when it was
 * suspended, the positions it recorded and those handed over to its holder and not yet taken.
 *
 * <p>Immutable: every transition returns a new value, which an entry processor stores with {@code
 * setValue}, so the object the map holds (in-memory format OBJECT) is never changed in place. The
 * transitions are the node-local {@code SessionRegistry}'s, so both stores record the same.
 */
final class StoredSession implements IdentifiedDataSerializable {

  /** 2: the kept QoS class follows the positions; 3: the previous token's hash follows that. */
  private static final byte FORMAT = 3;

  private String clientId;
  private String tokenHash;
  private String node;
  private String connection;
  private long suspendedAt;
  private Map<String, Position> subscriptions;
  private Map<String, Position> handedOver;
  /** The QoS class an operator moved the session to, or null. */
  private String qos;

  /**
   * The hash of the token the last resume was made with, while the welcome with its successor has
   * not been delivered ({@link #delivered}); else null.
   */
  private String previousTokenHash;

  /** For deserialization only. */
  StoredSession() {}

  private StoredSession(
      String clientId,
      String tokenHash,
      String node,
      String connection,
      long suspendedAt,
      Map<String, Position> subscriptions,
      Map<String, Position> handedOver,
      String qos,
      String previousTokenHash) {
    this.clientId = clientId;
    this.tokenHash = tokenHash;
    this.node = node;
    this.connection = connection;
    this.suspendedAt = suspendedAt;
    this.subscriptions = subscriptions;
    this.handedOver = handedOver;
    this.qos = qos;
    this.previousTokenHash = previousTokenHash;
  }

  /** A new session, attached to {@code connection} on {@code node}. */
  static StoredSession opened(String clientId, String tokenHash, String node, String connection) {
    return new StoredSession(
        clientId, tokenHash, node, connection, -1, Map.of(), Map.of(), null, null);
  }

  /** Whether {@code hash} is this session's token hash, compared in constant time. */
  boolean tokenIs(String hash) {
    return MessageDigest.isEqual(
        hash.getBytes(StandardCharsets.US_ASCII), tokenHash.getBytes(StandardCharsets.US_ASCII));
  }

  /** Whether {@code connection} on {@code node} holds the session. */
  boolean heldBy(String node, String connection) {
    return node.equals(this.node) && connection.equals(this.connection);
  }

  /** Whether some connection holds the session (it has no TTL then). */
  boolean attached() {
    return node != null;
  }

  /** The node of the connection holding the session, or null while suspended. */
  String node() {
    return node;
  }

  /** The connection holding the session, or null while suspended. */
  String connection() {
    return connection;
  }

  /** When it was suspended (the owner's wall ms), or -1 while attached: for eviction order. */
  long suspendedAt() {
    return suspendedAt;
  }

  Map<String, Position> subscriptions() {
    return subscriptions;
  }

  Map<String, Position> handedOver() {
    return handedOver;
  }

  /** Whether {@code hash} is the token hash a resume still waits to retire, in constant time. */
  boolean previousTokenIs(String hash) {
    return previousTokenHash != null
        && MessageDigest.isEqual(
            hash.getBytes(StandardCharsets.US_ASCII),
            previousTokenHash.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Resumed with the token of hash {@code usedHash}: the token rotated to {@code newHash},
   * attached to {@code connection}; {@code usedHash} still resumes until {@link #delivered}.
   */
  StoredSession resumed(String usedHash, String newHash, String node, String connection) {
    return new StoredSession(
        clientId, newHash, node, connection, -1, subscriptions, handedOver, qos, usedHash);
  }

  /** The holder delivered the welcome with the new token: the previous one is retired. */
  StoredSession delivered() {
    return new StoredSession(
        clientId, tokenHash, node, connection, suspendedAt, subscriptions, handedOver, qos, null);
  }

  /** Whether a resume still waits for its welcome to retire the token it was made with. */
  boolean awaitingDelivery() {
    return previousTokenHash != null;
  }

  /**
   * The ended connection {@code connection} on {@code node} records {@code positions}: the
   * holder suspends the session with them (and what was handed over and not taken, under them); a
   * replaced connection hands them over to the holder; with no holder (the successor ended first)
   * they are kept behind the recorded ones.
   */
  StoredSession recorded(
      String node, String connection, Map<String, Position> positions, long now, int maxTopics) {
    if (heldBy(node, connection)) {
      return new StoredSession(
          clientId,
          tokenHash,
          null,
          null,
          now,
          Positions.merge(handedOver, positions, maxTopics),
          Map.of(),
          qos,
          previousTokenHash);
    }
    if (!attached()) {
      return new StoredSession(
          clientId,
          tokenHash,
          null,
          null,
          suspendedAt,
          Positions.merge(positions, subscriptions, maxTopics),
          handedOver,
          qos,
          previousTokenHash);
    }
    return new StoredSession(
        clientId,
        tokenHash,
        this.node,
        this.connection,
        suspendedAt,
        subscriptions,
        Positions.merge(handedOver, positions, maxTopics),
        qos,
        previousTokenHash);
  }

  /** The holder took what was handed over. */
  StoredSession taken() {
    return new StoredSession(
        clientId,
        tokenHash,
        node,
        connection,
        suspendedAt,
        subscriptions,
        Map.of(),
        qos,
        previousTokenHash);
  }

  /**
   * Its holder's node is gone: suspended now with what it recorded, what was handed over (newer)
   * on top, since that node's connection will never record its own.
   */
  StoredSession detached(long now, int maxTopics) {
    return new StoredSession(
        clientId,
        tokenHash,
        null,
        null,
        now,
        Positions.merge(subscriptions, handedOver, maxTopics),
        Map.of(),
        qos,
        previousTokenHash);
  }

  /** The kept QoS class, or null. */
  String qos() {
    return qos;
  }

  /** Moved to QoS class {@code qos} by an operator. */
  StoredSession withQos(String qos) {
    return new StoredSession(
        clientId,
        tokenHash,
        node,
        connection,
        suspendedAt,
        subscriptions,
        handedOver,
        qos,
        previousTokenHash);
  }

  @Override
  public int getFactoryId() {
    return SessionSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return SessionSerialization.STORED_SESSION;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeString(clientId);
    out.writeString(tokenHash);
    out.writeString(node);
    out.writeString(connection);
    out.writeLong(suspendedAt);
    SessionWire.writePositions(out, subscriptions);
    SessionWire.writePositions(out, handedOver);
    out.writeString(qos);
    out.writeString(previousTokenHash);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "StoredSession");
    clientId = in.readString();
    tokenHash = in.readString();
    node = in.readString();
    connection = in.readString();
    suspendedAt = in.readLong();
    subscriptions = SessionWire.readPositions(in);
    handedOver = SessionWire.readPositions(in);
    qos = in.readString();
    previousTokenHash = in.readString();
  }
}
