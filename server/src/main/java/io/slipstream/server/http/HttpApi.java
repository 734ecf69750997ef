package io.slipstream.server.http;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.topic.TopicName;
import io.slipstream.core.topic.TopicView;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.connection.ConnectionRegistry;
import io.slipstream.server.protocol.ConnectionsQuery;
import io.vertx.core.json.JsonObject;
import io.slipstream.server.protocol.ErrorJson;
import io.slipstream.server.protocol.HealthJson;
import io.slipstream.server.protocol.PublishJson;
import io.slipstream.server.protocol.QosJson;
import io.slipstream.server.protocol.TopicJson;
import io.slipstream.server.topic.TopicRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The HTTP API (docs/protocol.md §10): publishing and deleting topics ({@link ProducerApi},
 * through the node's {@link io.slipstream.core.spi.Sequencer}), topic and connection inspection,
 * health.
 *
 * <p>Handlers run on the event loop of the server verticle that owns the router; they never
 * block. Errors are always {@code {error: {code, message, index?}}} with a 4xx/5xx status. Every
 * body comes from the protocol package ({@link ErrorJson}, {@link PublishJson}, {@link TopicJson},
 * {@link ConnectionsQuery}, {@link HealthJson}): this class knows routes and statuses, not fields.
 */
public final class HttpApi {

  /** The largest body of {@code PUT /api/connections/{id}/qos}: a class name and then some. */
  static final int QOS_BODY_LIMIT = 1024;


  private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());
  /**
   * The last configuration warned about open reads: every server verticle of a node builds its
   * own HttpApi from the same configuration, and the operator needs the warning once. Bound: one
   * reference.
   */
  private static final AtomicReference<SlipstreamConfig> WARNED = new AtomicReference<>();

  /** Publishing and deleting. */
  private final ProducerApi producers;
  private final Vertx vertx;
  private final SlipstreamConfig config;
  private final TopicRegistry topics;
  private final ConnectionRegistry connections;
  private final BooleanSupplier serving;
  /** {@code GET /api/cluster} and {@code ?all=true} in cluster mode, else null (then 404). */
  private final ClusterApi cluster;
  /** What every {@code GET /api/...} must present, or null while reads are open. */
  private final BearerToken readToken;
  /** What {@code /health} and {@code /metrics} must present, or null while they are open. */
  private final BearerToken metricsToken;

  /**
   * @param serving whether the node serves (false while starting or draining: {@code /health}
   *     answers 503)
   */
  public HttpApi(
      Vertx vertx,
      SlipstreamConfig config,
      TopicRegistry topics,
      ConnectionRegistry connections,
      BooleanSupplier serving) {
    this(vertx, config, topics, connections, serving, null);
  }

  /**
   * @param serving whether the node serves (false while starting or draining: {@code /health}
   *     answers 503)
   * @param cluster answers {@code GET /api/cluster} and gathers every member's connections
   *     (behind {@code apiToken}), or null on a single node
   */
  public HttpApi(
      Vertx vertx,
      SlipstreamConfig config,
      TopicRegistry topics,
      ConnectionRegistry connections,
      BooleanSupplier serving,
      ClusterApi cluster) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.config = config;
    this.producers = new ProducerApi(vertx, config, topics);
    this.topics = topics;
    this.connections = connections;
    this.serving = serving;
    this.readToken = config.apiToken() == null ? null : new BearerToken(config.apiToken());
    this.metricsToken =
        config.metricsToken() == null ? null : new BearerToken(config.metricsToken());
    warnIfReadsAreOpen(config);
  }

  /**
   * Auth on for clients and producers but not for reads would leave every row of every topic and
   * every connection readable by whoever reaches the port (docs/protocol.md §10): say so.
   */
  private static void warnIfReadsAreOpen(SlipstreamConfig config) {
    boolean authOn = config.publishToken() != null || config.jwtEnabled();
    if (authOn && config.apiToken() == null && WARNED.getAndSet(config) != config) {
      LOG.warning(
          "publishToken or a JWT key is set but apiToken is not: GET /api/... is open to anyone"
              + " who reaches the port (every row of every topic, every connection). Set apiToken"
              + " (SLIPSTREAM_API_TOKEN) to require Authorization: Bearer <apiToken> on reads.");
    }
  }

  /**
   * Takes a publish in its plain form ahead of the router ({@link ProducerApi#ahead}); false, with
   * nothing touched, for everything else. Call from the server's request handler before the
   * router.
   */
  public boolean ahead(HttpServerRequest req) {
    return producers.ahead(req);
  }

  /** Mounts every route on {@code router}. */
  public void mount(Router router) {
    producers.mount(router);
    router.get("/api/*").handler(rc -> guard(rc, readToken, "apiToken"));
    router.get("/api/topics").handler(this::listTopics);
    router.get("/api/topics/:topic").handler(this::getTopic);
    router.get("/api/topics/:topic/rows").handler(this::getRows);
    router.get("/api/connections").handler(this::listConnections);
    router
        .put("/api/connections/:id/qos")
        // Vert.x wants the body handler first; the body it reads is bounded by QOS_BODY_LIMIT.
        .handler(BodyHandler.create(false).setBodyLimit(QOS_BODY_LIMIT))
        .handler(rc -> guard(rc, readToken, "apiToken"))
        .handler(this::changeQos);
    router
        .get("/api/cluster")
        .handler(
            cluster != null
                ? cluster::handleInfo
                : rc -> error(rc, ErrorCode.NOT_FOUND, "this node is not clustered", -1));
    Handler<RoutingContext> metricsGuard = rc -> guard(rc, metricsToken, "metricsToken");
    // The bootstrap mounts the scrape handler before this API: order(-1) runs the guard first.
    router.get("/metrics").order(-1).handler(metricsGuard);
    router.get("/health").handler(metricsGuard).handler(this::health);
    router.route("/api/*").handler(rc -> error(rc, ErrorCode.NOT_FOUND, "no such endpoint", -1));
    String tooLarge =
        "the body is larger than " + config.maxPublishBytes() + " bytes (maxPublishBytes)";
    router.errorHandler(413, rc -> error(rc, ErrorCode.TOO_LARGE, tooLarge, -1));
    router.errorHandler(404, rc -> error(rc, ErrorCode.NOT_FOUND, "no such resource", -1));
    router.errorHandler(
        405, rc -> json(rc, 405, ErrorJson.methodNotAllowed("method not allowed here")));
    router.errorHandler(500, rc -> error(rc, ErrorCode.INTERNAL, "internal error", -1));
  }

  /**
   * Lets the request on when {@code token} is null or presented, else answers 401: {@code
   * apiToken} guards every {@code GET /api/...}, {@code metricsToken} guards {@code /health} and
   * {@code /metrics} (docs/protocol.md §10).
   *
   * @param setting the setting that holds the token, named in the error
   */
  private static void guard(RoutingContext rc, BearerToken token, String setting) {
    if (token == null || token.admits(rc.request().getHeader("Authorization"))) {
      rc.next();
    } else {
      error(rc, ErrorCode.UNAUTHORIZED, "Authorization: Bearer <" + setting + "> is required", -1);
    }
  }

  private void listTopics(RoutingContext rc) {
    // As many summaries as topics, which maxTopics bounds.
    List<TopicJson.Summary> out = new ArrayList<>(topics.size());
    for (TopicRegistry.Entry e : topics.all()) {
      out.add(summary(e));
    }
    json(rc, 200, TopicJson.list(out));
  }

  private void getTopic(RoutingContext rc) {
    TopicRegistry.Entry e = lookup(rc);
    if (e != null) {
      long last = e.topic().log().lastSeq();
      long first = last == 0 ? 0 : e.topic().log().firstSeq();
      json(rc, 200, TopicJson.detail(summary(e), first, last));
    }
  }

  /**
   * Streams the rows (whole table or one page) from the topic's immutable view at this instant;
   * see {@link RowsStream} for the order pages follow.
   */
  private void getRows(RoutingContext rc) {
    TopicRegistry.Entry e = lookup(rc);
    if (e == null) {
      return;
    }
    RowsStream.Query.Parsed q =
        RowsStream.Query.parse(rc.queryParam("limit"), rc.queryParam("after"));
    if (q.violation() != null) {
      error(rc, q.violation().code(), q.violation().message(), -1);
      return;
    }
    RowsStream.start(
        vertx.getOrCreateContext(), rc.response(), e.topic().name(), e.topic().view(), q.query());
  }

  /**
   * {@code GET /api/connections}: this node's connections, or with {@code all=true} in a cluster
   * every member's, filtered, ordered and paged as {@link ConnectionsQuery} says.
   */
  private void listConnections(RoutingContext rc) {
    ConnectionsQuery.Parsed p =
        ConnectionsQuery.parse(
            rc.queryParams().get("sort"),
            rc.queryParams().get("limit"),
            rc.queryParams().get("cursor"),
            rc.queryParams().get("state"),
            rc.queryParams().get("quality"),
            rc.queryParams().get("topic"),
            rc.queryParams().get("all"));
    if (p.violation() != null) {
      error(rc, p.violation().code(), p.violation().message(), -1);
      return;
    }
    ConnectionsQuery q = p.query();
    Future<List<JsonObject>> selected =
        q.all() && cluster != null ? cluster.connections(q) : connections.select(q);
    selected
        .onSuccess(list -> json(rc, 200, q.answer(list)))
        .onFailure(err -> error(rc, ErrorCode.INTERNAL, err.getMessage(), -1));
  }

  /**
   * An operator moves one of this node's connections to another QoS class (docs/protocol.md §5):
   * its buffer limits, sustainMs and rate apply now (a bound the queue does not fit, or another
   * policy, once it does), and its session keeps the class. A connection on another member is moved
   * through that member's control address, or this endpoint on that member.
   */
  private void changeQos(RoutingContext rc) {
    String id = rc.pathParam("id");
    String name = QosJson.requestedClass(rc.body().buffer());
    if (name == null) {
      error(rc, ErrorCode.BAD_MESSAGE, "the body must be {\"class\": \"<QoS class>\"}", -1);
      return;
    }
    if (config.qos().get(name) == null) {
      error(rc, ErrorCode.UNKNOWN_QOS, "no QoS class " + name + " on this node", -1);
      return;
    }
    connections
        .changeQos(id, name)
        .onSuccess(
            found -> {
              if (found) {
                json(rc, 200, QosJson.changed(id, name));
              } else {
                error(rc, ErrorCode.NOT_FOUND, "no welcomed connection " + id + " on this node", -1);
              }
            })
        .onFailure(err -> error(rc, ErrorCode.INTERNAL, err.getMessage(), -1));
  }

  private void health(RoutingContext rc) {
    boolean up = serving.getAsBoolean();
    json(rc, up ? 200 : 503, HealthJson.body(up));
  }

  private TopicRegistry.Entry lookup(RoutingContext rc) {
    String name = rc.pathParam("topic");
    if (!TopicName.isValid(name)) {
      error(rc, ErrorCode.BAD_TOPIC, "topic must match [A-Za-z0-9._-]{1,128}", -1);
      return null;
    }
    TopicRegistry.Entry e = topics.get(name);
    if (e == null) {
      error(rc, ErrorCode.NOT_FOUND, "no topic " + name, -1);
    }
    return e;
  }

  private static TopicJson.Summary summary(TopicRegistry.Entry e) {
    TopicView v = e.topic().view();
    return new TopicJson.Summary(
        e.topic().name(), v.epoch(), v.seq(), v.rows().size(), e.subscribers());
  }

  private static void json(RoutingContext rc, int status, String body) {
    ProducerApi.json(rc.response(), status, body);
  }

  private static void error(RoutingContext rc, ErrorCode code, String message, int index) {
    ProducerApi.error(rc.response(), code, message, index);
  }
}
