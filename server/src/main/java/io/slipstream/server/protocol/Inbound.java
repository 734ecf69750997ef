package io.slipstream.server.protocol;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import io.slipstream.core.topic.Position;
import io.slipstream.core.topic.TopicName;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Parses client frames into {@link ClientMessage}s, or into the {@link Violation} to answer with.
 *
 * <p>Stateless and thread-safe. The only place that knows the inbound field names.
 */
public final class Inbound {

  /** The most topics a {@code hello.positions} may name. */
  public static final int MAX_POSITIONS = 1024;
  private static final int MAX_STRING = 4096;

  /** Longest {@code id} string a client may send. */
  static final int MAX_ID_CHARS = 256;

  /** Longest {@code hello.token} and {@code auth.token}: a JWT with many topic patterns. */
  public static final int MAX_TOKEN_CHARS = 8192;

  private Inbound() {}

  /**
   * The outcome of parsing one frame: exactly one of {@code message} and {@code violation} is set;
   * {@code id} is the client's id when it could be read.
   */
  public record Parsed(ClientMessage message, Violation violation, Object id) {
    static Parsed ok(ClientMessage m) {
      return new Parsed(m, null, m.id());
    }

    static Parsed error(ErrorCode code, String message, Object id) {
      return new Parsed(null, new Violation(code, message), id);
    }
  }

  /**
   * Parses one text frame. Anything but one strict JSON object (docs/protocol.md §3) is {@code
   * bad-json}, so each malformed frame gets exactly one error.
   */
  public static Parsed parse(String text) {
    Parsed ack = AckScanner.scan(text);
    return ack != null ? ack : parseTree(text);
  }

  /** {@link #parse} through the JSON tree, for every shape: what {@link AckScanner} must equal. */
  static Parsed parseTree(String text) {
    JsonObject m;
    try {
      Object v = StrictJson.decode(text);
      if (!(v instanceof JsonObject)) {
        return Parsed.error(ErrorCode.BAD_JSON, "a message must be a JSON object", null);
      }
      m = (JsonObject) v;
    } catch (DecodeException | ClassCastException e) {
      return Parsed.error(ErrorCode.BAD_JSON, "the frame is not valid JSON", null);
    }
    Object id = m.getValue("id");
    if (id != null && !(id instanceof String) && !(id instanceof Number)) {
      return Parsed.error(ErrorCode.BAD_MESSAGE, "id must be a string or a number", null);
    }
    if (id instanceof String && ((String) id).length() > MAX_ID_CHARS) {
      return Parsed.error(
          ErrorCode.BAD_MESSAGE, "id must be at most " + MAX_ID_CHARS + " characters", null);
    }
    Object type = m.getValue("type");
    if (!(type instanceof String)) {
      return Parsed.error(ErrorCode.BAD_MESSAGE, "type must be a string", id);
    }
    switch ((String) type) {
      case "hello":
        return hello(m, id);
      case "subscribe":
        return subscribe(m, id);
      case "unsubscribe":
        {
          Object topic = m.getValue("topic");
          Optional<Violation> bad = topicViolation(topic);
          return bad.isPresent()
              ? new Parsed(null, bad.get(), id)
              : Parsed.ok(new ClientMessage.Unsubscribe(id, (String) topic));
        }
      case "auth":
        {
          Object token = m.getValue("token");
          return token instanceof String && ((String) token).length() <= MAX_TOKEN_CHARS
              ? Parsed.ok(new ClientMessage.Auth(id, (String) token))
              : Parsed.error(
                  ErrorCode.BAD_MESSAGE,
                  "auth needs a token string of at most " + MAX_TOKEN_CHARS + " characters",
                  id);
        }
      case "ack":
        return ack(m, id);
      case "ping":
        return Parsed.ok(new ClientMessage.Ping(id));
      case "pong":
        return Parsed.ok(new ClientMessage.Pong(id));
      default:
        return Parsed.error(ErrorCode.UNKNOWN_TYPE, "unknown message type", id);
    }
  }

  private static Parsed hello(JsonObject m, Object id) {
    Object resume = m.getValue("resume");
    Object token = m.getValue("token");
    Object clientId = m.getValue("clientId");
    Object batch = m.getValue("batch");
    Object qos = m.getValue("qos");
    if (!optionalString(resume) || !optionalString(clientId) || !optionalString(qos)) {
      return Parsed.error(
          ErrorCode.BAD_MESSAGE,
          "resume, clientId and qos must be strings when present",
          id);
    }
    if (token != null
        && (!(token instanceof String) || ((String) token).length() > MAX_TOKEN_CHARS)) {
      return Parsed.error(
          ErrorCode.BAD_MESSAGE,
          "token must be a string of at most " + MAX_TOKEN_CHARS + " characters when present",
          id);
    }
    if (clientId != null && ((String) clientId).length() > 128) {
      return Parsed.error(ErrorCode.BAD_MESSAGE, "clientId must be at most 128 characters", id);
    }
    if (batch != null && !(batch instanceof Boolean)) {
      return Parsed.error(ErrorCode.BAD_MESSAGE, "batch must be a boolean", id);
    }
    Map<String, Position> positions = Collections.emptyMap();
    Object rawPositions = m.getValue("positions");
    if (rawPositions != null) {
      if (!(rawPositions instanceof JsonObject)) {
        return Parsed.error(ErrorCode.BAD_POSITION, "positions must be an object", id);
      }
      JsonObject p = (JsonObject) rawPositions;
      if (p.size() > MAX_POSITIONS) {
        return Parsed.error(
            ErrorCode.BAD_POSITION, "positions may name at most " + MAX_POSITIONS + " topics", id);
      }
      positions = new LinkedHashMap<>();
      for (String topic : p.fieldNames()) {
        if (!TopicName.isValid(topic)) {
          return Parsed.error(ErrorCode.BAD_TOPIC, "positions names an invalid topic", id);
        }
        Position pos = position(p.getValue(topic));
        if (pos == null) {
          return Parsed.error(
              ErrorCode.BAD_POSITION, "positions." + topic + " must be {epoch, seq}", id);
        }
        positions.put(topic, pos);
      }
    }
    return Parsed.ok(
        new ClientMessage.Hello(
            id,
            (String) resume,
            positions,
            (String) token,
            (String) clientId,
            Boolean.TRUE.equals(batch),
            (String) qos));
  }

  private static Parsed subscribe(JsonObject m, Object id) {
    Object topic = m.getValue("topic");
    Optional<Violation> bad = topicViolation(topic);
    if (bad.isPresent()) {
      return new Parsed(null, bad.get(), id);
    }
    Object rawFrom = m.getValue("from");
    Position from = null;
    if (rawFrom != null) {
      from = position(rawFrom);
      if (from == null) {
        return Parsed.error(
            ErrorCode.BAD_POSITION, "from must be {epoch: string, seq: integer >= 0}", id);
      }
    }
    return Parsed.ok(new ClientMessage.Subscribe(id, (String) topic, from));
  }

  private static Parsed ack(JsonObject m, Object id) {
    Object topic = m.getValue("topic");
    Optional<Violation> bad = topicViolation(topic);
    if (bad.isPresent()) {
      return new Parsed(null, bad.get(), id);
    }
    Object seq = m.getValue("seq");
    if (!isWholeNumber(seq) || ((Number) seq).longValue() < 0) {
      return Parsed.error(ErrorCode.BAD_MESSAGE, "seq must be an integer >= 0", id);
    }
    return Parsed.ok(new ClientMessage.Ack(id, (String) topic, ((Number) seq).longValue()));
  }

  private static Optional<Violation> topicViolation(Object topic) {
    if (!(topic instanceof String)) {
      return Optional.of(new Violation(ErrorCode.BAD_TOPIC, "topic must be a string"));
    }
    return TopicName.check((String) topic);
  }

  private static Position position(Object raw) {
    if (!(raw instanceof JsonObject)) {
      return null;
    }
    JsonObject o = (JsonObject) raw;
    Object epoch = o.getValue("epoch");
    Object seq = o.getValue("seq");
    if (!(epoch instanceof String) || ((String) epoch).length() > MAX_STRING) {
      return null;
    }
    if (!isWholeNumber(seq) || ((Number) seq).longValue() < 0) {
      return null;
    }
    return new Position((String) epoch, ((Number) seq).longValue());
  }

  private static boolean isWholeNumber(Object v) {
    return v instanceof Integer || v instanceof Long
        || (v instanceof java.math.BigInteger && ((java.math.BigInteger) v).bitLength() < 64);
  }

  private static boolean optionalString(Object v) {
    return v == null || (v instanceof String && ((String) v).length() <= MAX_STRING);
  }
}
