package io.slipstream.server.protocol;

import io.slipstream.core.topic.Position;
import java.util.Map;

/**
 * A well-formed message from a client (docs/protocol.md §3), already checked for types and ranges.
 *
 * <p>Immutable.
 */
public sealed interface ClientMessage {

  /** The client's {@code id} (a String or a Number), echoed in replies; null when absent. */
  Object id();

  /**
   * {@code hello}: opens the conversation, optionally resuming a session; {@code qos} is the QoS
   * class asked for, or null (any string: an unknown name only falls back to the default class).
   */
  record Hello(
      Object id,
      String resume,
      Map<String, Position> positions,
      String token,
      String clientId,
      boolean batch,
      String qos)
      implements ClientMessage {}

  /** {@code auth}: replaces the connection's token before it expires (docs/protocol.md §3). */
  record Auth(Object id, String token) implements ClientMessage {}

  /** {@code subscribe}: start (or restart) a subscription, from a position when given. */
  record Subscribe(Object id, String topic, Position from) implements ClientMessage {}

  /** {@code unsubscribe}: stop a subscription. */
  record Unsubscribe(Object id, String topic) implements ClientMessage {}

  /** {@code ack}: the client has applied everything of {@code topic} up to {@code seq}. */
  record Ack(Object id, String topic, long seq) implements ClientMessage {}

  /** {@code ping}: answered by {@code pong}. */
  record Ping(Object id) implements ClientMessage {}

  /** {@code pong}: a client's answer to a server {@code ping}. */
  record Pong(Object id) implements ClientMessage {}
}
