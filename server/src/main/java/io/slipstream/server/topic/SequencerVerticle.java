package io.slipstream.server.topic;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.TopicName;
import io.slipstream.server.metrics.Metrics;
import io.slipstream.server.protocol.Changes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The single owner of one shard of topics: applies their changes in order (giving each its seq),
 * appends them to the replay log, and publishes them on the event bus as one {@link ChangeBatch}
 * per publish.
 *
 * <p>Confined to its own event loop. Every topic with {@code shardOf(topic) == shard} is written
 * only here, which is what makes seqs gap-free without locks.
 *
 * <p>Also serves {@code slipstream.publish} (PROTOCOL.md §8): any sequencer may receive such a
 * request; it validates it and forwards it to the owning shard.
 */
public final class SequencerVerticle extends VerticleBase {

  /** The event-bus address producers publish to (PROTOCOL.md §8). */
  public static final String PUBLISH_ADDRESS = "slipstream.publish";

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final TopicRegistry registry;
  private final int shard;
  private final Metrics metrics;

  public SequencerVerticle(TopicRegistry registry, int shard, Metrics metrics) {
    this.registry = registry;
    this.shard = shard;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    MessageConsumer<PublishCommand> own =
        vertx.eventBus().localConsumer(PublishCommand.address(shard), this::onCommand);
    MessageConsumer<Object> pub = vertx.eventBus().consumer(PUBLISH_ADDRESS, this::onPublish);
    return Future.all(own.completion(), pub.completion());
  }

  private void onCommand(Message<PublishCommand> msg) {
    PublishCommand cmd = msg.body();
    TopicRegistry.Entry entry = registry.getOrCreate(cmd.topic());
    if (entry == null) {
      msg.fail(ErrorCode.TOPIC_LIMIT.httpStatus(), "the server holds its maximum number of topics");
      return;
    }
    List<ChangeEvent> events = entry.topic().apply(cmd.changes(), System.currentTimeMillis());
    metrics.published(events.size());
    vertx
        .eventBus()
        .publish(ChangeBatch.address(cmd.topic()), new ChangeBatch(cmd.topic(), events), LOCAL);
    ChangeEvent first = events.get(0);
    ChangeEvent last = events.get(events.size() - 1);
    msg.reply(new PublishResult(cmd.topic(), first.epoch(), first.seq(), last.seq()), LOCAL);
  }

  private void onPublish(Message<Object> msg) {
    if (!(msg.body() instanceof JsonObject)) {
      msg.fail(400, "bad-json: the request must be a JsonObject {topic, op, key, row?} or {topic, changes}");
      return;
    }
    JsonObject body = (JsonObject) msg.body();
    Object topic = body.getValue("topic");
    if (!(topic instanceof String) || !TopicName.isValid((String) topic)) {
      msg.fail(400, "bad-topic: topic must match [A-Za-z0-9._-]{1,128}");
      return;
    }
    Object changes = body.getValue("changes");
    Changes.Parsed parsed;
    if (changes != null) {
      parsed =
          changes instanceof JsonArray
              ? Changes.parse(changes)
              : new Changes.Parsed(
                  null,
                  new io.slipstream.core.message.Violation(
                      ErrorCode.BAD_MESSAGE, "changes must be an array"),
                  -1);
    } else {
      parsed = Changes.parse(body);
    }
    if (parsed.violation() != null) {
      String where = parsed.index() >= 0 ? " (change " + parsed.index() + ")" : "";
      msg.fail(400, parsed.violation().code().wireName() + ": " + parsed.violation().message() + where);
      return;
    }
    String name = (String) topic;
    vertx
        .eventBus()
        .<PublishResult>request(
            PublishCommand.address(registry.shardOf(name)),
            new PublishCommand(name, parsed.changes()),
            LOCAL)
        .onSuccess(
            r ->
                msg.reply(
                    new JsonObject()
                        .put("topic", name)
                        .put("epoch", r.body().epoch())
                        .put("firstSeq", r.body().firstSeq())
                        .put("lastSeq", r.body().lastSeq())))
        .onFailure(err -> msg.fail(400, err.getMessage()));
  }
}
