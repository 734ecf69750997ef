package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.slipstream.core.topic.Position;
import java.io.IOException;
import java.util.Map;

/**
 * What a session entry processor answers: its kind, the positions it hands back, and for a resume
 * the connection that held the session.
 *
 * <p>Immutable once read.
 */
final class SessionAnswer implements IdentifiedDataSerializable {

  /** The kinds of answer. */
  enum Kind {
    /** A new session was stored (or had been, by this same call's first run). */
    CREATED,
    /** The new session's id is taken: pick another. */
    COLLISION,
    /** The token matched and was rotated; {@code positions} are the recorded ones. */
    RESUMED,
    /** No live session has that id and token. */
    NOT_FOUND,
    /** The holder took {@code positions}, handed over to it. */
    TAKEN,
    /** The caller does not hold the session (or it is gone). */
    NOT_HOLDER,
    /** The positions were recorded (or the session is gone). */
    RECORDED
  }

  /** 2: a resume's kept QoS class follows. */
  private static final byte FORMAT = 2;
  private static final Kind[] KINDS = Kind.values();

  private Kind kind;
  private Map<String, Position> positions;
  private String replacedNode;
  private String replacedConnection;
  private String qos;

  /** For deserialization only. */
  SessionAnswer() {}

  private SessionAnswer(
      Kind kind,
      Map<String, Position> positions,
      String replacedNode,
      String replacedConnection,
      String qos) {
    this.kind = kind;
    this.qos = qos;
    this.positions = positions;
    this.replacedNode = replacedNode;
    this.replacedConnection = replacedConnection;
  }

  static SessionAnswer of(Kind kind) {
    return new SessionAnswer(kind, Map.of(), null, null, null);
  }

  static SessionAnswer of(Kind kind, Map<String, Position> positions) {
    return new SessionAnswer(kind, positions, null, null, null);
  }

  /**
   * Resumed, replacing the connection that held it ({@code node} null when none did), with the
   * class the session kept ({@code qos}, or null).
   */
  static SessionAnswer resumed(
      Map<String, Position> recorded, String node, String connection, String qos) {
    return new SessionAnswer(Kind.RESUMED, recorded, node, connection, qos);
  }

  /** The QoS class a resumed session kept, or null. */
  String qos() {
    return qos;
  }

  Kind kind() {
    return kind;
  }

  Map<String, Position> positions() {
    return positions;
  }

  /** The replaced connection's node, or null. */
  String replacedNode() {
    return replacedNode;
  }

  String replacedConnection() {
    return replacedConnection;
  }

  @Override
  public int getFactoryId() {
    return SessionSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return SessionSerialization.ANSWER;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(FORMAT);
    out.writeByte(kind.ordinal());
    SessionWire.writePositions(out, positions);
    out.writeString(replacedNode);
    out.writeString(replacedConnection);
    out.writeString(qos);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    SessionWire.checkFormat(in.readByte(), FORMAT, "SessionAnswer");
    kind = KINDS[in.readByte()];
    positions = SessionWire.readPositions(in);
    replacedNode = in.readString();
    replacedConnection = in.readString();
    qos = in.readString();
  }
}
