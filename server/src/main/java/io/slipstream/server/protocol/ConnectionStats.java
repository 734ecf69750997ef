package io.slipstream.server.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One connection as {@code GET /api/connections} describes it (docs/protocol.md §10).
 *
 * <p>Immutable and thread-safe: read on the connection's event loop, serialized anywhere.
 *
 * @param id the connection id, unique on the node
 * @param session the session id, or null before hello
 * @param clientId the client id from hello, or null
 * @param state {@code connecting}, {@code active}, {@code warned} or {@code slow}
 * @param qos the QoS class in force ({@code standard} until the hello is bound)
 * @param transport {@code websocket} or {@code sockjs}
 * @param topics the subscribed topics
 * @param pending events waiting in the buffer
 * @param pendingBytes encoded bytes waiting in the buffer
 * @param fill the buffer's fill, 0..1
 * @param sentPerSec messages written per second since the previous description
 * @param sent messages written since the connection opened
 * @param dropped events the buffer dropped
 * @param ackLagP50 median ack lag, ms, or null before any ack
 * @param ackLagP99 99th percentile ack lag, ms, or null before any ack
 * @param connectedAt when the connection opened, ms since the Unix epoch
 */
public record ConnectionStats(
    String id,
    String session,
    String clientId,
    String state,
    String qos,
    String transport,
    List<String> topics,
    int pending,
    long pendingBytes,
    double fill,
    double sentPerSec,
    long sent,
    long dropped,
    Long ackLagP50,
    Long ackLagP99,
    long connectedAt) {

  /** The answer of {@code GET /api/connections}: an array of descriptions, in the given order. */
  public static String list(List<ConnectionStats> connections) {
    JsonArray out = new JsonArray();
    for (ConnectionStats c : connections) {
      out.add(c.toJson());
    }
    return out.encode();
  }

  /** The JSON object {@code /api/connections} lists. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("session", session)
        .put("clientId", clientId)
        .put("state", state)
        .put("qos", qos)
        .put("transport", transport)
        .put("topics", new JsonArray(List.copyOf(topics)))
        .put("pending", pending)
        .put("pendingBytes", pendingBytes)
        .put("fill", Math.round(fill * 1000) / 1000.0)
        .put("sentPerSec", Math.round(sentPerSec * 10) / 10.0)
        .put("sent", sent)
        .put("dropped", dropped)
        .put("ackLagMs", new JsonObject().put("p50", ackLagP50).put("p99", ackLagP99))
        .put("connectedAt", connectedAt);
  }
}
