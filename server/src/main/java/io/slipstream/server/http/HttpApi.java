package io.slipstream.server.http;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.topic.RowMap;
import io.slipstream.core.topic.TopicName;
import io.slipstream.core.topic.TopicView;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.connection.ConnectionRegistry;
import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.time.Clock;
import io.slipstream.server.protocol.Changes;
import io.slipstream.server.topic.Sequencing;
import io.slipstream.server.topic.TopicRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The HTTP API (PROTOCOL.md §7): publishing and deleting topics (through the node's {@link
 * io.slipstream.core.spi.Sequencer}), topic and connection inspection, health.
 *
 * <p>Handlers run on the event loop of the server verticle that owns the router; they never
 * block. Errors are always {@code {error: {code, message, index?}}} with a 4xx/5xx status.
 */
public final class HttpApi {

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
    this.vertx = vertx;
    this.config = config;
    this.topics = topics;
    this.connections = connections;
    this.serving = serving;
  }

  /** Mounts every route on {@code router}. */
  public void mount(Router router) {
    router
        .post("/api/topics/:topic/changes")
        // Vert.x wants the body handler first; the body it reads is bounded by maxPublishBytes.
        .handler(BodyHandler.create(false).setBodyLimit(config.maxPublishBytes()))
        .handler(this::authorize)
        .handler(this::publish);
    router.delete("/api/topics/:topic").handler(this::authorize).handler(this::deleteTopic);
    router.get("/api/topics").handler(this::listTopics);
    router.get("/api/topics/:topic").handler(this::getTopic);
    router.get("/api/topics/:topic/rows").handler(this::getRows);
    router.get("/api/connections").handler(this::listConnections);
    router.get("/health").handler(this::health);
    router.route("/api/*").handler(rc -> error(rc, ErrorCode.NOT_FOUND, "no such endpoint", -1));
    router.errorHandler(413, rc -> error(rc, ErrorCode.TOO_LARGE, "the body is larger than " + config.maxPublishBytes() + " bytes (maxPublishBytes)", -1));
    router.errorHandler(404, rc -> error(rc, ErrorCode.NOT_FOUND, "no such resource", -1));
    router.errorHandler(405, rc -> error(rc, 405, "method-not-allowed", "method not allowed here"));
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
    Buffer body = rc.body().buffer();
    Object json;
    try {
      json = body == null || body.length() == 0 ? null : Json.decodeValue(body);
    } catch (DecodeException e) {
      json = null;
    }
    Changes.Parsed parsed = Changes.parse(json);
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
            json(rc, 200, Sequencing.answer(o));
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
            json(rc, 200, new JsonObject().put("topic", name).put("epoch", o.epoch()));
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

  private void listTopics(RoutingContext rc) {
    JsonArray out = new JsonArray();
    for (TopicRegistry.Entry e : topics.all()) {
      out.add(describe(e, false));
    }
    json(rc, 200, out);
  }

  private void getTopic(RoutingContext rc) {
    TopicRegistry.Entry e = lookup(rc);
    if (e != null) {
      json(rc, 200, describe(e, true));
    }
  }

  private void getRows(RoutingContext rc) {
    TopicRegistry.Entry e = lookup(rc);
    if (e == null) {
      return;
    }
    TopicView view = e.topic().view();
    // Row JSON is stored serialized: splice it in rather than parse and re-encode it.
    StringBuilder sb = new StringBuilder(64 + view.rows().size() * 64);
    sb.append("{\"topic\":\"").append(e.topic().name())
        .append("\",\"epoch\":\"").append(view.epoch())
        .append("\",\"seq\":").append(view.seq())
        .append(",\"rows\":[");
    boolean first = true;
    for (RowMap.Entry row : view.rows()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append("{\"key\":").append(Json.encode(row.key())).append(",\"row\":").append(row.row().json()).append('}');
    }
    sb.append("]}");
    rc.response().putHeader("content-type", "application/json").end(sb.toString());
  }

  private void listConnections(RoutingContext rc) {
    connections
        .describeAll()
        .onSuccess(list -> json(rc, 200, new JsonArray(list)))
        .onFailure(err -> error(rc, ErrorCode.INTERNAL, err.getMessage(), -1));
  }

  private void health(RoutingContext rc) {
    boolean up = serving.getAsBoolean();
    json(rc, up ? 200 : 503, new JsonObject().put("status", up ? "serving" : "unavailable"));
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

  private static JsonObject describe(TopicRegistry.Entry e, boolean withReplay) {
    TopicView v = e.topic().view();
    JsonObject o =
        new JsonObject()
            .put("topic", e.topic().name())
            .put("epoch", v.epoch())
            .put("seq", v.seq())
            .put("rows", v.rows().size())
            .put("subscribers", e.subscribers());
    if (withReplay) {
      long last = e.topic().log().lastSeq();
      o.put(
          "replay",
          new JsonObject().put("from", last == 0 ? 0 : e.topic().log().firstSeq()).put("to", last));
    }
    return o;
  }

  private static void json(RoutingContext rc, int status, Object body) {
    rc.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(Json.encode(body));
  }

  private static void error(RoutingContext rc, ErrorCode code, String message, int index) {
    JsonObject err = new JsonObject().put("code", code.wireName()).put("message", message);
    if (index >= 0) {
      err.put("index", index);
    }
    json(rc, code.httpStatus(), new JsonObject().put("error", err));
  }

  private static void error(RoutingContext rc, int status, String code, String message) {
    json(rc, status, new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)));
  }
}
