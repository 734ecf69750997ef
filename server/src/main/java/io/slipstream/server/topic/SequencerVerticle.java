package io.slipstream.server.topic;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.time.Clock;
import io.slipstream.core.topic.TopicName;
import io.slipstream.server.protocol.Changes;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One shard of sequencing: its Vert.x context is the ordered executor on which the local sequencer
 * applies the shard's topics (giving each change its seq), and it serves {@code slipstream.publish}
 * (docs/protocol.md §8) for producers on the event bus.
 *
 * <p>Deployed as a worker verticle in the named pool {@value #POOL} (one thread per shard), so
 * sequencing never shares a thread with the connections' event loops: a loop busy streaming a large
 * snapshot or parsing a large publish no longer delays the topics of a shard (bug 6). A worker
 * context runs its tasks one at a time, in order, which is what makes the shard the single writer
 * of its topics; the pool has as many threads as shards, so shards run in parallel.
 */
public final class SequencerVerticle extends VerticleBase {

  /** The event-bus address producers publish to (docs/protocol.md §8). */
  public static final String PUBLISH_ADDRESS = "slipstream.publish";

  /** The worker pool of the sequencer shards. */
  public static final String POOL = "slipstream-sequencer";

  private final Shard shard;
  private final TopicRegistry topics;
  private final long publishTimeoutMs;
  private final Clock clock;

  /**
   * @param shard the executor this verticle's context backs
   * @param topics the node's topics and their sequencer
   * @param publishTimeoutMs how long an event-bus publish may wait for its shard
   */
  public SequencerVerticle(Shard shard, TopicRegistry topics, long publishTimeoutMs, Clock clock) {
    this.shard = shard;
    this.topics = topics;
    this.publishTimeoutMs = publishTimeoutMs;
    this.clock = clock;
  }

  /** How {@code shards} sequencer verticles are deployed: workers, in their own pool. */
  public static DeploymentOptions deployment(int shards) {
    return new DeploymentOptions()
        .setThreadingModel(ThreadingModel.WORKER)
        .setWorkerPoolName(POOL)
        .setWorkerPoolSize(shards);
  }

  /**
   * A shard's executor: runs tasks on its verticle's worker context, in order. Refuses tasks before
   * the verticle started and after it stopped (the sequencer then answers overloaded).
   *
   * <p>Thread-safe.
   */
  public static final class Shard implements Executor {
    private volatile Context context;

    @Override
    public void execute(Runnable task) {
      Context c = context;
      if (c == null) {
        throw new RejectedExecutionException("the sequencer shard is not running");
      }
      c.runOnContext(v -> task.run());
    }
  }

  @Override
  public Future<?> start() {
    shard.context = context;
    MessageConsumer<Object> pub = vertx.eventBus().consumer(PUBLISH_ADDRESS, this::onPublish);
    return pub.completion();
  }

  @Override
  public Future<?> stop() {
    shard.context = null;
    return Future.succeededFuture();
  }

  private void onPublish(Message<Object> msg) {
    if (!(msg.body() instanceof JsonObject)) {
      fail(
          msg,
          ErrorCode.BAD_JSON,
          "the request must be a JsonObject {topic, op, key, row?} or {topic, changes}");
      return;
    }
    JsonObject body = (JsonObject) msg.body();
    Object topic = body.getValue("topic");
    if (!(topic instanceof String) || !TopicName.isValid((String) topic)) {
      fail(msg, ErrorCode.BAD_TOPIC, "topic must match [A-Za-z0-9._-]{1,128}");
      return;
    }
    Object key = body.getValue("idempotencyKey");
    if (key != null && !(key instanceof String && Publish.isValidIdempotencyKey((String) key))) {
      fail(
          msg,
          ErrorCode.BAD_MESSAGE,
          "idempotencyKey must be a string of 1..256 visible ASCII characters");
      return;
    }
    Object changes = body.getValue("changes");
    Changes.Parsed parsed;
    if (changes != null) {
      parsed =
          changes instanceof JsonArray
              ? Changes.parse(changes)
              : new Changes.Parsed(
                  null, new Violation(ErrorCode.BAD_MESSAGE, "changes must be an array"), -1);
    } else {
      parsed = Changes.parse(body);
    }
    if (parsed.violation() != null) {
      String where = parsed.index() >= 0 ? " (change " + parsed.index() + ")" : "";
      fail(msg, parsed.violation().code(), parsed.violation().message() + where);
      return;
    }
    String name = (String) topic;
    Publish publish =
        new Publish(
            name,
            parsed.changes(),
            (String) key,
            clock.wallMillis(),
            clock.millis() + publishTimeoutMs);
    Future.fromCompletionStage(topics.sequencer().publish(publish), context)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                fail(msg, ErrorCode.INDETERMINATE, "the outcome is unknown: " + ar.cause());
                return;
              }
              PublishOutcome o = ar.result();
              if (o.isApplied()) {
                msg.reply(Sequencing.answer(o));
              } else {
                fail(msg, o.status().error(), o.message());
              }
            });
  }

  /** Fails with the HTTP status of the error as the code (docs/protocol.md §8). */
  private static void fail(Message<Object> msg, ErrorCode code, String message) {
    msg.fail(code.httpStatus(), code.wireName() + ": " + message);
  }
}
