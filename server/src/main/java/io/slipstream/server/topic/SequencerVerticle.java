package io.slipstream.server.topic;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.spi.PublishOutcome;
import io.slipstream.core.time.Clock;
import io.slipstream.server.protocol.PublishJson;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One shard of sequencing: its Vert.x context is the ordered executor on which the local
 * sequencer applies the shard's topics (giving each change its seq), and it serves {@code
 * slipstream.publish} (docs/protocol.md §11) for producers on the event bus.
 *
 * <p>Deployed as a worker verticle in the named pool {@value #POOL} (one thread per shard), so
 * sequencing never shares a thread with the connections' event loops: a loop busy streaming a
 * large snapshot or parsing a large publish no longer delays the topics of a shard (bug 6). A
 * worker context runs its tasks one at a time, in order, which is what makes the shard the single
 * writer of its topics; the pool has as many threads as shards, so shards run in parallel.
 */
public final class SequencerVerticle extends VerticleBase {

  /** The event-bus address producers publish to (docs/protocol.md §11). */
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
   * A shard's executor: runs tasks on its verticle's worker context, in order. Refuses tasks
   * before the verticle started and after it stopped (the sequencer then answers overloaded).
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
    PublishJson.Request request = PublishJson.request(msg.body());
    if (request.violation() != null) {
      fail(msg, request.violation().code(), request.violation().message());
      return;
    }
    String name = request.topic();
    Publish publish =
        new Publish(
            name,
            request.changes(),
            request.idempotencyKey(),
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
                msg.reply(PublishJson.reply(name, o.epoch(), o.firstSeq(), o.lastSeq()));
              } else {
                fail(msg, o.status().error(), o.message());
              }
            });
  }

  /** Fails with the HTTP status of the error as the code (docs/protocol.md §11). */
  private static void fail(Message<Object> msg, ErrorCode code, String message) {
    msg.fail(code.httpStatus(), PublishJson.failure(code, message));
  }
}
