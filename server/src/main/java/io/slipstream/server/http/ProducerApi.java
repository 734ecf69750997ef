package io.slipstream.server.http;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.spi.DeleteOutcome;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.TopicName;
import io.slipstream.server.config.SlipstreamConfig;
import io.slipstream.server.protocol.Changes;
import io.slipstream.server.protocol.ErrorJson;
import io.slipstream.server.protocol.PublishJson;
import io.slipstream.server.topic.TopicRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The producers' side of the HTTP API (docs/protocol.md §10): {@code POST
 * /api/topics/{topic}/changes} and {@code DELETE /api/topics/{topic}}, answered once the node's
 * sequencer has applied them, or refused.
 *
 * <p>A publish in its plain form (the exact path, a topic that needs no decoding, a {@code
 * Content-Length} within {@code maxPublishBytes}) is taken ahead of the router ({@link #ahead}):
 * at the rates a fan-out publishes (100 a second), the request path's code is cold and never
 * compiled by C2 within a run, so each layer it passes costs its interpreted or C1 price;
 * vertx-web's routing context, route matching and body handler were about half of a publish's
 * event-loop time (docs/benchmarks.md). Every other form (another method, a path the router
 * normalizes, a chunked or oversized body, {@code Expect}) goes to the router, which answers as
 * it always did; both paths answer through the same code.
 *
 * <p>Confined to the event loop of the server verticle that made it.
 */
final class ProducerApi {

  private static final Logger LOG = Logger.getLogger(ProducerApi.class.getName());

  /** How long past its deadline a publish may go unanswered before HTTP says indeterminate. */
  private static final long ANSWER_GRACE_MS = 5_000;

  /** {@code Retry-After} of a 503, seconds. */
  private static final String RETRY_AFTER_SECONDS = "1";

  private static final String PREFIX = "/api/topics/";
  private static final String SUFFIX = "/changes";

  private final Clock clock = Clock.system();
  private final Vertx vertx;
  private final SlipstreamConfig config;
  private final TopicRegistry topics;

  ProducerApi(Vertx vertx, SlipstreamConfig config, TopicRegistry topics) {
    this.vertx = vertx;
    this.config = config;
    this.topics = topics;
  }

  /** Mounts both routes on {@code router}. */
  void mount(Router router) {
    router
        .post(PREFIX + ":topic" + SUFFIX)
        // Vert.x wants the body handler first; the body it reads is bounded by maxPublishBytes.
        .handler(BodyHandler.create(false).setBodyLimit(config.maxPublishBytes()))
        .handler(rc -> publish(rc.request(), rc.pathParam("topic"), rc.body().buffer()));
    router
        .delete("/api/topics/:topic")
        .handler(rc -> deleteTopic(rc.request(), rc.pathParam("topic")));
  }

  /**
   * Takes {@code req} if it is a publish in its plain form, ahead of the router; returns false,
   * having touched nothing, for the router to take it.
   */
  boolean ahead(HttpServerRequest req) {
    String name =
        plainPublish(req.method(), req.path(), req.headers(), config.maxPublishBytes());
    if (name == null) {
      return false;
    }
    req.body()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                return; // the connection went: nobody to answer
              }
              try {
                publish(req, name, ar.result());
              } catch (RuntimeException e) {
                // As the router's 500 handler answers what a handler threw.
                LOG.log(Level.WARNING, "publish failed", e);
                if (!req.response().ended()) {
                  error(req.response(), ErrorCode.INTERNAL, "internal error", -1);
                }
              }
            });
    return true;
  }

  /**
   * The topic of a publish in its plain form, or null for the router: {@code POST} on exactly
   * {@code /api/topics/{topic}/changes} with a valid topic (which then needs no decoding, and is
   * not a {@code .} or {@code ..} segment that the router would resolve), a {@code Content-Length}
   * of at most {@code maxBytes}, and neither {@code Expect} nor {@code Transfer-Encoding}.
   */
  static String plainPublish(HttpMethod method, String path, MultiMap headers, long maxBytes) {
    if (method != HttpMethod.POST
        || path == null
        || path.length() <= PREFIX.length() + SUFFIX.length()
        || !path.startsWith(PREFIX)
        || !path.endsWith(SUFFIX)) {
      return null;
    }
    String name = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
    if (!TopicName.isValid(name) || name.equals(".") || name.equals("..")) {
      return null;
    }
    long length = contentLength(headers);
    if (length < 0
        || length > maxBytes
        || headers.contains(HttpHeaders.EXPECT)
        || headers.contains(HttpHeaders.TRANSFER_ENCODING)) {
      return null;
    }
    return name;
  }

  /** The {@code Content-Length}, or -1 if there is none or a malformed one. */
  private static long contentLength(MultiMap headers) {
    if (headers.getAll(HttpHeaders.CONTENT_LENGTH).size() > 1) {
      return -1; // two lengths: the router's (Netty's) reading of it, not ours
    }
    String v = headers.get(HttpHeaders.CONTENT_LENGTH);
    if (v == null || v.isEmpty() || v.length() > 18) {
      return -1;
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(v);
  }

  /** Whether the request presents {@code publishToken} (when set); answers 401 if not. */
  private boolean authorized(HttpServerRequest req) {
    String token = config.publishToken();
    if (token != null) {
      String header = req.getHeader("Authorization");
      String expected = "Bearer " + token;
      if (header == null
          || !MessageDigest.isEqual(
              header.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
        error(
            req.response(),
            ErrorCode.UNAUTHORIZED,
            "Authorization: Bearer <publishToken> is required",
            -1);
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the request presents {@code publishToken} and names a valid topic; answers 401 or 400
   * {@code bad-topic} if not.
   */
  private boolean admitted(HttpServerRequest req, String name) {
    if (!authorized(req)) {
      return false;
    }
    if (!TopicName.isValid(name)) {
      error(req.response(), ErrorCode.BAD_TOPIC, "topic must match [A-Za-z0-9._-]{1,128}", -1);
      return false;
    }
    return true;
  }

  private void publish(HttpServerRequest req, String name, Buffer body) {
    if (!admitted(req, name)) {
      return;
    }
    HttpServerResponse resp = req.response();
    Changes.Parsed parsed = Changes.parseBody(body);
    if (parsed.violation() != null) {
      error(resp, parsed.violation().code(), parsed.violation().message(), parsed.index());
      return;
    }
    String key = req.getHeader("Idempotency-Key");
    if (key != null && !Publish.isValidIdempotencyKey(key)) {
      error(
          resp,
          ErrorCode.BAD_MESSAGE,
          "Idempotency-Key must be 1..256 visible ASCII characters",
          -1);
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
        resp,
        topics.sequencer().publish(publish),
        o -> {
          if (o.isApplied()) {
            if (o.status() == PublishOutcome.Status.DUPLICATE) {
              resp.putHeader("Idempotent-Replayed", "true");
            }
            json(resp, 200, PublishJson.applied(name, o.epoch(), o.firstSeq(), o.lastSeq()));
          } else {
            refuse(resp, o.status().error(), o.message());
          }
        });
  }

  /** {@code DELETE /api/topics/{topic}}: rows and history go; 200 with the new, empty epoch. */
  private void deleteTopic(HttpServerRequest req, String name) {
    if (!admitted(req, name)) {
      return;
    }
    HttpServerResponse resp = req.response();
    answer(
        resp,
        topics.sequencer().delete(name, clock.millis() + config.publishTimeoutMs()),
        o -> {
          if (o.status() == DeleteOutcome.Status.DELETED) {
            json(resp, 200, PublishJson.deleted(name, o.epoch()));
          } else {
            refuse(resp, o.status().error(), o.message());
          }
        });
  }

  /**
   * Answers once the sequencer's stage completes, back on this event loop. An outcome that never
   * comes (past the deadline and a grace) or a stage that fails is 503 {@code indeterminate},
   * never 500: whether the change was applied is then unknown.
   */
  private <O> void answer(
      HttpServerResponse resp, CompletionStage<O> stage, Consumer<O> respond) {
    long guard =
        vertx.setTimer(
            config.publishTimeoutMs() + ANSWER_GRACE_MS,
            t -> {
              if (!resp.ended()) {
                refuse(resp, ErrorCode.INDETERMINATE, "no answer from the sequencer in time");
              }
            });
    Future.fromCompletionStage(stage, vertx.getOrCreateContext())
        .onComplete(
            ar -> {
              vertx.cancelTimer(guard);
              if (resp.ended()) {
                return;
              }
              if (ar.failed()) {
                refuse(resp, ErrorCode.INDETERMINATE, "the outcome is unknown: " + ar.cause());
              } else {
                respond.accept(ar.result());
              }
            });
  }

  /** An error answer; a 503 says when to retry. */
  private static void refuse(HttpServerResponse resp, ErrorCode code, String message) {
    if (code.httpStatus() == 503) {
      resp.putHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    error(resp, code, message, -1);
  }

  static void json(HttpServerResponse resp, int status, String body) {
    resp.setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  static void error(HttpServerResponse resp, ErrorCode code, String message, int index) {
    json(resp, code.httpStatus(), ErrorJson.body(code, message, index));
  }
}
