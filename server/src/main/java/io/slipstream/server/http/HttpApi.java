package io.slipstream.server.http;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.TopicName;
import io.slipstream.core.topic.TopicView;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.connection.ConnectionRegistry;
import io.slipstream.server.protocol.Changes;
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
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The HTTP API (docs/protocol.md §10): publishing and deleting topics (through the node's {@link
 * io.slipstream.core.spi.Sequencer}), topic and connection inspection, health.
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
  /** How long past its deadline a publish may go unanswered before HTTP says indeterminate. */
  private static final long ANSWER_GRACE_MS = 5_000;
  /** {@code Retry-After} of a 503, seconds. */
  private static final String RETRY_AFTER_SECONDS = "1";

  private final Clock clock = Clock.system();
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

  /** Mounts every route on {@code router}. */
  public void mount(Router router) {
    router
        .post("/api/topics/:topic/changes")
        // Vert.x wants the body handler first; the body it reads is bounded by maxPublishBytes.
        .handler(BodyHandler.create(false).setBodyLimit(config.maxPublishBytes()))
        .handler(this::authorize)
        .handler(this::publish);
    router.get("/api/*").handler(rc -> guard(rc, readToken, "apiToken"));
    router.delete("/api/topics/:topic").handler(this::authorize).handler(this::deleteTopic);
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

  private void authorize(RoutingContext rc) {
    String token = config.publishToken();
    if (token != null) {
      String header = rc.request().getHeader("Authorization");
      String expected = "Bearer " + token;
      if (header == null
          || !MessageDigest.isEqual(
              header.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
        error(rc, ErrorCode.UNAUTHORIZED, "Authorization: Bearer <publishToken> is required", -1);
        return;
      }
    }
    rc.next();
  }

  private void publish(RoutingContext rc) {
    String name = rc.pathParam("topic");
    if (!TopicName.isValid(name)) {
      error(rc, ErrorCode.BAD_TOPIC, "topic must match [A-Za-z0-9._-]{1,128}", -1);
      return;
    }
    Changes.Parsed parsed = Changes.parseBody(rc.body().buffer());
    if (parsed.violation() != null) {
      error(rc, parsed.violation().code(), parsed.violation().message(), parsed.index());
      return;
    }
    String key = rc.request().getHeader("Idempotency-Key");
    if (key != null && !Publish.isValidIdempotencyKey(key)) {
      error(
          rc, ErrorCode.BAD_MESSAGE, "Idempotency-Key must be 1..256 visible ASCII characters", -1);
      return;
    }
    Publish publish =
        new Publish(
            name,
            parsed.changes(),
            key,
            clock.wallMillis(),
            clock.millis() + config.publishTimeoutMs());
    answer(
        rc,
        topics.sequencer().publish(publish),
        o -> {
          if (o.isApplied()) {
            if (o.status() == PublishOutcome.Status.DUPLICATE) {
              rc.response().putHeader("Idempotent-Replayed", "true");
            }
            json(rc, 200, PublishJson.applied(name, o.epoch(), o.firstSeq(), o.lastSeq()));
          } else {
            refuse(rc, o.status().error(), o.message());
          }
        });
  }

  /** {@code DELETE /api/topics/{topic}}: rows and history go; 200 with the new, empty epoch. */
  private void deleteTopic(RoutingContext rc) {
    String name = rc.pathParam("topic");
    if (!TopicName.isValid(name)) {
      error(rc, ErrorCode.BAD_TOPIC, "topic must match [A-Za-z0-9._-]{1,128}", -1);
      return;
    }
    answer(
        rc,
        topics.sequencer().delete(name, clock.millis() + config.publishTimeoutMs()),
        o -> {
          if (o.status() == DeleteOutcome.Status.DELETED) {
            json(rc, 200, PublishJson.deleted(name, o.epoch()));
          } else {
            refuse(rc, o.status().error(), o.message());
          }
        });
  }

  /**
   * Answers once the sequencer's stage completes, back on this event loop. An outcome that never
   * comes (past the deadline and a grace) or a stage that fails is 503 {@code indeterminate},
   * never 500: whether the change was applied is then unknown.
   */
  private <O> void answer(RoutingContext rc, CompletionStage<O> stage, Consumer<O> respond) {
    long guard =
        vertx.setTimer(
            config.publishTimeoutMs() + ANSWER_GRACE_MS,
            t -> {
              if (!rc.response().ended()) {
                refuse(rc, ErrorCode.INDETERMINATE, "no answer from the sequencer in time");
              }
            });
    Future.fromCompletionStage(stage, vertx.getOrCreateContext())
        .onComplete(
            ar -> {
              vertx.cancelTimer(guard);
              if (rc.response().ended()) {
                return;
              }
              if (ar.failed()) {
                refuse(rc, ErrorCode.INDETERMINATE, "the outcome is unknown: " + ar.cause());
              } else {
                respond.accept(ar.result());
              }
            });
  }

  /** An error answer; a 503 says when to retry. */
  private static void refuse(RoutingContext rc, ErrorCode code, String message) {
    if (code.httpStatus() == 503) {
      rc.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    error(rc, code, message, -1);
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
    rc.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  private static void error(RoutingContext rc, ErrorCode code, String message, int index) {
    json(rc, code.httpStatus(), ErrorJson.body(code, message, index));
  }
}
