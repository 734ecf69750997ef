package io.slipstream.server.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The JSON of {@code GET /api/cluster} (docs/protocol.md §7) and of the node control messages that
 * gather it.
 *
 * <p>Stateless and thread-safe.
 */
public final class ClusterJson {

  private ClusterJson() {}

  /**
   * One node's figures.
   *
   * @param id the node's id
   * @param connections its open client connections
   * @param topicsOwned topics whose authoritative entry it holds as primary
   * @param topicsFollowed topics it keeps a replica of
   * @param replicaLag seqs its replicas are behind the authority, summed over topics
   * @param gapFills gaps its feed filled from the authority
   * @param tipRepairs tail losses its tip checks repaired
   * @param resyncs replicas it rebuilt from a snapshot
   */
  public record NodeStats(
      String id,
      int connections,
      int topicsOwned,
      long topicsFollowed,
      long replicaLag,
      long gapFills,
      long tipRepairs,
      long resyncs) {}

  /** The control message that asks a node for its {@link NodeStats}. */
  public static JsonObject statsRequest() {
    return new JsonObject().put("op", "stats");
  }

  /** Whether {@code body} asks for stats. */
  public static boolean isStatsRequest(JsonObject body) {
    return body != null && "stats".equals(body.getValue("op"));
  }

  /** The control message that closes a connection whose session resumed on another node. */
  public static JsonObject closeReplacedRequest(String connection) {
    return new JsonObject().put("op", "closeReplaced").put("connection", connection);
  }

  /** The connection a close-replaced request names, or null when {@code body} is not one. */
  public static String closeReplacedConnection(JsonObject body) {
    if (body == null || !"closeReplaced".equals(body.getValue("op"))) {
      return null;
    }
    Object c = body.getValue("connection");
    return c instanceof String s ? s : null;
  }

  /**
   * A disconnect asked of the node that holds a connection: close {@code connection} with {@code
   * code} (docs/protocol.md §6 close codes).
   */
  public record Disconnect(String connection, int code) {}

  /** The control message that closes a connection with a close code, wherever it is. */
  public static JsonObject disconnectRequest(String connection, int code) {
    return new JsonObject().put("op", "disconnect").put("connection", connection).put("code", code);
  }

  /** The disconnect {@code body} asks for, or null when it is not a well-formed one. */
  public static Disconnect disconnect(JsonObject body) {
    if (body == null || !"disconnect".equals(body.getValue("op"))) {
      return null;
    }
    Object c = body.getValue("connection");
    Object code = body.getValue("code");
    if (!(c instanceof String s) || !(code instanceof Integer n)) {
      return null;
    }
    return new Disconnect(s, n);
  }

  /** A change of a connection's QoS class asked of the node that holds it (docs/protocol.md §5). */
  public record QosChange(String connection, String qos) {}

  /** The control message that moves a connection to another QoS class, wherever it is. */
  public static JsonObject qosRequest(String connection, String qos) {
    return new JsonObject().put("op", "qos").put("connection", connection).put("class", qos);
  }

  /** The QoS change {@code body} asks for, or null when it is not a well-formed one. */
  public static QosChange qosChange(JsonObject body) {
    if (body == null || !"qos".equals(body.getValue("op"))) {
      return null;
    }
    Object c = body.getValue("connection");
    Object q = body.getValue("class");
    if (!(c instanceof String s) || !(q instanceof String name)) {
      return null;
    }
    return new QosChange(s, name);
  }

  /** The answer to a QoS change: whether the connection was open (and welcomed) on that node. */
  public static JsonObject qosChanged(boolean found) {
    return new JsonObject().put("found", found);
  }

  /** The answer to a disconnect: whether the connection was open on that node. */
  public static JsonObject disconnected(boolean found) {
    return new JsonObject().put("found", found);
  }

  /** A node's answer to a stats request. */
  public static JsonObject stats(NodeStats s) {
    return new JsonObject()
        .put("id", s.id())
        .put("reachable", true)
        .put("connections", s.connections())
        .put("topicsOwned", s.topicsOwned())
        .put("topicsFollowed", s.topicsFollowed())
        .put("replicaLag", s.replicaLag())
        .put("gapFills", s.gapFills())
        .put("tipRepairs", s.tipRepairs())
        .put("resyncs", s.resyncs());
  }

  /** A member that did not answer in time (or has no node id yet). */
  public static JsonObject unreachable(String id) {
    return new JsonObject().put("id", id).put("reachable", false);
  }

  /** {@code member} with where it listens and whether it is the answering node. */
  public static JsonObject placed(JsonObject member, String address, boolean self) {
    return member.copy().put("address", address).put("self", self);
  }

  /** The body of {@code GET /api/cluster}. */
  public static String body(String node, int minMembers, List<JsonObject> members) {
    return new JsonObject()
        .put("node", node)
        .put("minMembers", minMembers)
        .put("members", new JsonArray(List.copyOf(members)))
        .encode();
  }
}
