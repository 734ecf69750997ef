package io.slipstream.server.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One connection as {@code GET /api/connections} describes it (docs/protocol.md §10).
 *
 * <p>Immutable and thread-safe: read on the connection's event loop, serialized anywhere.
 *
 * @param id the connection id, unique in the cluster
 * @param session the session id, or null before hello
 * @param clientId the client id from hello, or null
 * @param state {@code connecting}, {@code active}, {@code warned} or {@code slow}
 * @param quality {@code healthy}, {@code lagging}, {@code warned}, {@code dropping} or {@code slow}
 * @param qos the connection's QoS class
 * @param transport {@code websocket} or {@code sockjs}
 * @param topics the subscribed topics
 * @param pending events waiting in the buffer
 * @param pendingBytes encoded bytes waiting in the buffer
 * @param fill the buffer's fill, 0..1, over {@code effectiveMax}
 * @param max the class's bound in entries, as {@code welcome.buffer.max} says it
 * @param effectiveMax the bound in force, in entries, as {@code warning.max} says it: {@code max}
 *     but under an adaptive class, whose bound follows the client's drain rate
 * @param growthPerSec how fast pending events grew over the last quality tick, events/s
 * @param offeredPerSec live events for the connection (buffered or straight to its socket) per
 *     second over the last quality tick
 * @param sentPerSec messages written per second over the last quality tick
 * @param sent messages written since the connection opened
 * @param dropped events the buffer dropped
 * @param ackLagP50 median ack lag, ms, or null before any ack
 * @param ackLagP99 99th percentile ack lag, ms, or null before any ack
 * @param stalledMs how long the socket has taken no bytes while frames wait, ms (0: it takes them)
 * @param connectedAt when the connection opened, ms since the Unix epoch
 */
public record ConnectionStats(
    String id,
    String session,
    String clientId,
    String state,
    String quality,
    String qos,
    String transport,
    List<String> topics,
    int pending,
    long pendingBytes,
    double fill,
    int max,
    int effectiveMax,
    double growthPerSec,
    double offeredPerSec,
    double sentPerSec,
    long sent,
    long dropped,
    Long ackLagP50,
    Long ackLagP99,
    long stalledMs,
    long connectedAt) {

  /** The QoS class of every connection while classes are not implemented (docs/protocol.md §13). */
  public static final String DEFAULT_QOS = "standard";

  /** The answer of {@code GET /api/connections}: an array of descriptions, in the given order. */
  public static String list(List<JsonObject> connections) {
    return new JsonArray(List.copyOf(connections)).encode();
  }

  /** A page of {@code GET /api/connections?sort=…}: {@code {connections, next?}}. */
  public static String page(List<JsonObject> connections, String next) {
    JsonObject o = new JsonObject().put("connections", new JsonArray(List.copyOf(connections)));
    if (next != null) {
      o.put("next", next);
    }
    return o.encode();
  }

  /** The JSON object {@code /api/connections} lists. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("session", session)
        .put("clientId", clientId)
        .put("state", state)
        .put("quality", quality)
        .put("qos", qos)
        .put("transport", transport)
        .put("topics", new JsonArray(List.copyOf(topics)))
        .put("pending", pending)
        .put("pendingBytes", pendingBytes)
        .put("fill", Math.round(fill * 1000) / 1000.0)
        .put("max", max)
        .put("effectiveMax", effectiveMax)
        .put("growthPerSec", Math.round(growthPerSec * 10) / 10.0)
        .put("offeredPerSec", Math.round(offeredPerSec * 10) / 10.0)
        .put("sentPerSec", Math.round(sentPerSec * 10) / 10.0)
        .put("sent", sent)
        .put("dropped", dropped)
        .put("ackLagMs", new JsonObject().put("p50", ackLagP50).put("p99", ackLagP99))
        .put("stalledMs", stalledMs)
        .put("connectedAt", connectedAt);
  }
}
