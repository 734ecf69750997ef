package io.slipstream.loadtest.wire;

import java.util.Map;

/**
 * Builds the messages a client sends (docs/protocol.md §3) as JSON text.
 *
 * <p>Stateless and thread-safe. Topic names are restricted to {@code [A-Za-z0-9._-]} by the
 * protocol, so they need no escaping; other strings are quoted.
 */
public final class ClientMessages {

  private ClientMessages() {}

  /** A position {@code (epoch, seq)} to resume or subscribe from. */
  public record Position(String epoch, long seq) {}

  /**
   * {@code hello}.
   *
   * @param clientId shown in {@code /api/connections}; may be null
   * @param batch whether the server may send JSON arrays of messages in one frame
   * @param token a JWT when the server checks one; may be null
   * @param resume the resume token of the previous connection; may be null
   * @param positions the last applied position per topic, sent with {@code resume}; may be empty
   */
  public static String hello(
      String clientId,
      boolean batch,
      String token,
      String resume,
      Map<String, Position> positions) {
    StringBuilder sb = new StringBuilder(96).append("{\"type\":\"hello\"");
    if (clientId != null) {
      sb.append(",\"clientId\":");
      SockJsFrames.quote(sb, clientId);
    }
    if (batch) {
      sb.append(",\"batch\":true");
    }
    if (token != null) {
      sb.append(",\"token\":");
      SockJsFrames.quote(sb, token);
    }
    if (resume != null) {
      sb.append(",\"resume\":");
      SockJsFrames.quote(sb, resume);
      if (!positions.isEmpty()) {
        sb.append(",\"positions\":{");
        boolean first = true;
        for (Map.Entry<String, Position> e : positions.entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          sb.append('"').append(e.getKey()).append("\":");
          position(sb, e.getValue());
        }
        sb.append('}');
      }
    }
    return sb.append('}').toString();
  }

  /** {@code subscribe}, from a position when {@code from} is not null. */
  public static String subscribe(String topic, long id, Position from) {
    StringBuilder sb =
        new StringBuilder(80)
            .append("{\"type\":\"subscribe\",\"topic\":\"")
            .append(topic)
            .append("\",\"id\":")
            .append(id);
    if (from != null) {
      sb.append(",\"from\":");
      position(sb, from);
    }
    return sb.append('}').toString();
  }

  /** {@code ack}: everything up to {@code seq} of {@code topic} is applied. */
  public static String ack(String topic, long seq) {
    return "{\"type\":\"ack\",\"topic\":\"" + topic + "\",\"seq\":" + seq + "}";
  }

  /** {@code ping}: the server answers {@code pong} (docs/protocol.md §3). */
  public static String ping() {
    return "{\"type\":\"ping\"}";
  }

  /** {@code pong}, the answer to a server {@code ping} message. */
  public static String pong() {
    return "{\"type\":\"pong\"}";
  }

  private static void position(StringBuilder sb, Position p) {
    sb.append("{\"epoch\":");
    SockJsFrames.quote(sb, p.epoch());
    sb.append(",\"seq\":").append(p.seq()).append('}');
  }
}
