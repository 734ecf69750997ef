package io.slipstream.server.cluster;

import com.hazelcast.cluster.Member;
import io.slipstream.cluster.feed.ClusterFeed;
import io.slipstream.cluster.log.TopicAuthority;
import io.slipstream.core.message.CloseCode;
import io.slipstream.server.connection.ConnectionRegistry;
import io.slipstream.server.connection.RemoteConnections;
import io.slipstream.server.http.ClusterApi;
import io.slipstream.server.protocol.ClusterJson;
import io.slipstream.server.protocol.ConnectionsQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The cluster as this node reports it and controls it: one control address per node, {@code
 * slipstream.node.<nodeId>} (never one per connection: each would be a {@code __vertx.subs} write
 * and its backup), which answers {@code {op: "stats"}} with the node's figures, closes a connection
 * with {@code {op: "disconnect", connection, code}}, moves one to another QoS class with {@code
 * {op: "qos", connection, class}} (any node may ask: connection ids are
 * cluster-unique and start with the node's), and hands a resumed session over; and {@code GET
 * /api/cluster} (docs/protocol.md §7), which gathers the figures from every member.
 *
 * <p>Thread-safe; the consumer runs on the event loop it was registered from.
 */
public final class Members implements ClusterApi {

  /** The prefix of every node's control address. */
  public static final String ADDRESS_PREFIX = "slipstream.node.";

  /** How long {@code /api/cluster} waits for a member's answer before it reports it unreachable. */
  static final long ASK_TIMEOUT_MS = 2_000;

  /** Registrations of the control address tried before the node fails to start. */
  static final int REGISTER_ATTEMPTS = 5;

  private final Vertx vertx;
  private final ClusterNode node;
  private final ConnectionRegistry connections;
  private final Supplier<ClusterFeed.Stats> feed;
  private MessageConsumer<JsonObject> consumer;

  public Members(
      Vertx vertx,
      ClusterNode node,
      ConnectionRegistry connections,
      Supplier<ClusterFeed.Stats> feed) {
    this.vertx = vertx;
    this.node = node;
    this.connections = connections;
    this.feed = feed;
  }

  /**
   * Registers this node's control address cluster-wide; completes once it is known everywhere. A
   * registration is a write to Vert.x's {@code __vertx.subs} map that, with
   * fail-on-indeterminate-state on, fails when its backup answers late on a busy member: it is
   * tried again, up to {@value #REGISTER_ATTEMPTS} times.
   */
  public Future<Void> start() {
    return register(REGISTER_ATTEMPTS);
  }

  private Future<Void> register(int attemptsLeft) {
    consumer = vertx.eventBus().consumer(ADDRESS_PREFIX + node.nodeId(), this::onControl);
    return consumer
        .completion()
        .recover(
            error ->
                attemptsLeft <= 1
                    ? Future.failedFuture(error)
                    : consumer
                        .unregister()
                        .otherwiseEmpty()
                        .compose(v -> register(attemptsLeft - 1)));
  }

  /** Unregisters the control address. */
  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void onControl(Message<JsonObject> msg) {
    ClusterJson.Disconnect d = ClusterJson.disconnect(msg.body());
    if (d != null) {
      CloseCode code = CloseCode.byCode(d.code());
      if (code == null) {
        msg.fail(400, "unknown close code " + d.code());
        return;
      }
      connections
          .disconnect(d.connection(), code)
          .onComplete(ar -> msg.reply(ClusterJson.disconnected(ar.succeeded() && ar.result())));
      return;
    }
    ClusterJson.QosChange q = ClusterJson.qosChange(msg.body());
    if (q != null) {
      connections
          .changeQos(q.connection(), q.qos())
          .onComplete(
              ar -> {
                if (ar.succeeded()) {
                  msg.reply(ClusterJson.qosChanged(ar.result()));
                } else {
                  msg.fail(400, ar.cause().getMessage());
                }
              });
      return;
    }
    String replaced = ClusterJson.closeReplacedConnection(msg.body());
    if (replaced != null) {
      connections
          .closeReplaced(replaced)
          .onComplete(
              ar -> {
                if (ar.succeeded()) {
                  msg.reply(null);
                } else {
                  msg.fail(500, String.valueOf(ar.cause()));
                }
              });
      return;
    }
    ConnectionsQuery query = ConnectionsQuery.fromJson(msg.body());
    if (query != null) {
      connections
          .select(query)
          .onComplete(
              ar -> {
                if (ar.succeeded()) {
                  msg.reply(ConnectionsQuery.reply(ar.result()));
                } else {
                  msg.fail(500, String.valueOf(ar.cause()));
                }
              });
      return;
    }
    if (!ClusterJson.isStatsRequest(msg.body())) {
      msg.fail(400, "unknown control message");
      return;
    }
    msg.reply(ClusterJson.stats(stats()));
  }

  /**
   * Closes, through its node's control address, a connection on another node whose session resumed
   * here; what the session store's hand-over needs (docs/protocol.md §7: resume while the old
   * socket is open). The store names nodes by Hazelcast member id; the address is the member's
   * Vert.x node id.
   */
  public RemoteConnections remote() {
    return replaced -> {
      String target = null;
      for (Member m : node.hazelcast().getCluster().getMembers()) {
        if (m.getUuid().toString().equals(replaced.node())) {
          target = m.getAttribute("__vertx.nodeId");
        }
      }
      if (target == null) {
        return Future.failedFuture("node " + replaced.node() + " is not a member");
      }
      return vertx
          .eventBus()
          .request(
              ADDRESS_PREFIX + target,
              ClusterJson.closeReplacedRequest(replaced.connection()),
              new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS))
          .mapEmpty();
    };
  }

  /** This node's figures. */
  ClusterJson.NodeStats stats() {
    ClusterFeed.Stats f = feed.get();
    return new ClusterJson.NodeStats(
        node.nodeId(),
        connections.size(),
        node.hazelcast().getMap(TopicAuthority.MAP_NAME).localKeySet().size(),
        f.topicsFollowed(),
        f.replicaLagSeqs(),
        f.gapFills(),
        f.tipRepairs(),
        f.resyncs());
  }

  /**
   * {@code GET /api/connections?all=true}: asks every member's control address for what {@code
   * query} selects of its connections (this node answers itself), each within {@link
   * #ASK_TIMEOUT_MS}; a member that does not answer is left out. Each member sends at most a page
   * and one more, so the answer is bounded by the page times the members.
   */
  @Override
  public Future<List<JsonObject>> connections(ConnectionsQuery query) {
    List<Future<List<JsonObject>>> asked = new ArrayList<>();
    for (Member m : node.hazelcast().getCluster().getMembers()) {
      String id = m.getAttribute("__vertx.nodeId");
      if (id == null) {
        continue;
      }
      if (id.equals(node.nodeId())) {
        asked.add(connections.select(query));
      } else {
        asked.add(
            vertx
                .eventBus()
                .<JsonObject>request(
                    ADDRESS_PREFIX + id,
                    query.toJson(),
                    new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS))
                .map(reply -> ConnectionsQuery.fromReply(reply.body())));
      }
    }
    return Future.join(asked)
        .transform(
            ar -> {
              List<JsonObject> all = new ArrayList<>();
              for (Future<List<JsonObject>> f : asked) {
                if (f.succeeded()) {
                  all.addAll(f.result());
                }
              }
              return Future.succeededFuture(all);
            });
  }

  /** {@code GET /api/cluster}: this node's id and every member's figures. */
  @Override
  public void handleInfo(RoutingContext rc) {
    List<Future<JsonObject>> asked = new ArrayList<>();
    for (Member m : node.hazelcast().getCluster().getMembers()) {
      String id = m.getAttribute("__vertx.nodeId");
      String address = m.getAddress().getHost() + ":" + m.getAddress().getPort();
      Future<JsonObject> one;
      if (id == null) {
        one = Future.succeededFuture(ClusterJson.unreachable(null));
      } else if (id.equals(node.nodeId())) {
        one = Future.succeededFuture(ClusterJson.stats(stats()));
      } else {
        one =
            vertx
                .eventBus()
                .<JsonObject>request(
                    ADDRESS_PREFIX + id,
                    ClusterJson.statsRequest(),
                    new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS))
                .map(Message::body)
                .otherwise(err -> ClusterJson.unreachable(id));
      }
      asked.add(one.map(j -> ClusterJson.placed(j, address, m.localMember())));
    }
    Future.join(asked)
        .onComplete(
            ar -> {
              List<JsonObject> list = new ArrayList<>();
              for (Future<JsonObject> f : asked) {
                list.add(f.succeeded() ? f.result() : ClusterJson.unreachable(null));
              }
              rc.response()
                  .setStatusCode(200)
                  .putHeader("content-type", "application/json")
                  .end(ClusterJson.body(node.nodeId(), node.settings().minMembers(), list));
            });
  }
}
