package io.slipstream.server.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The JSON of an operator's QoS change over HTTP (docs/protocol.md §7): the request body {@code
 * {"class": NAME}} of {@code PUT /api/connections/{id}/qos} and its answer {@code {connection,
 * qos}}.
 *
 * <p>Stateless and thread-safe.
 */
public final class QosJson {

  private QosJson() {}

  /**
   * The class {@code body} names, or null when it is not strict JSON of the form {@code {"class":
   * string}} (other fields are allowed, as everywhere in the protocol).
   */
  public static String requestedClass(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    Object decoded;
    try {
      decoded = StrictJson.decode(body);
    } catch (RuntimeException e) {
      return null;
    }
    if (!(decoded instanceof JsonObject)) {
      return null;
    }
    Object name = ((JsonObject) decoded).getValue("class");
    return name instanceof String ? (String) name : null;
  }

  /** The answer: the connection and the class it is in now. */
  public static String changed(String connection, String qos) {
    return new JsonObject().put("connection", connection).put("qos", qos).encode();
  }
}
