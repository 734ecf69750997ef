package io.slipstream.server.protocol;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.message.Violation;
import io.slipstream.core.spi.Publish;
import io.slipstream.core.topic.ChangeRequest;
import io.slipstream.core.topic.TopicName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The answers to a publish and a delete over HTTP (docs/protocol.md §10), and the {@code
 * slipstream.publish} request and reply on the event bus (§11). The changes themselves are
 * {@link Changes}'s.
 *
 * <p>Stateless and thread-safe. An applied publish is answered {@code {"topic", "epoch",
 * "firstSeq", "lastSeq"}} on both; a delete {@code {"topic", "epoch"}}.
 */
public final class PublishJson {

  private PublishJson() {}

  /**
   * A {@code slipstream.publish} request read: either {@code violation} or the rest is set.
   *
   * @param topic the topic to publish to
   * @param changes the validated changes, in order
   * @param idempotencyKey the request's {@code idempotencyKey}, or null
   * @param violation what is wrong with the request, its message naming the offending change
   */
  public record Request(
      String topic, List<ChangeRequest> changes, String idempotencyKey, Violation violation) {

    private static Request refused(ErrorCode code, String message) {
      return new Request(null, null, null, new Violation(code, message));
    }
  }

  /** The HTTP body of an applied publish. */
  public static String applied(String topic, String epoch, long firstSeq, long lastSeq) {
    return reply(topic, epoch, firstSeq, lastSeq).encode();
  }

  /** The HTTP body of a delete: the topic's new, empty epoch. */
  public static String deleted(String topic, String epoch) {
    return new JsonObject().put("topic", topic).put("epoch", epoch).encode();
  }

  /**
   * Reads a {@code slipstream.publish} body: a {@link JsonObject} {@code {topic, op, key, row?,
   * idempotencyKey?}} for one change or {@code {topic, changes: [...], idempotencyKey?}} for many.
   */
  public static Request request(Object body) {
    if (!(body instanceof JsonObject)) {
      return Request.refused(
          ErrorCode.BAD_JSON,
          "the request must be a JsonObject {topic, op, key, row?} or {topic, changes}");
    }
    JsonObject o = (JsonObject) body;
    Object topic = o.getValue("topic");
    if (!(topic instanceof String) || !TopicName.isValid((String) topic)) {
      return Request.refused(ErrorCode.BAD_TOPIC, "topic must match [A-Za-z0-9._-]{1,128}");
    }
    Object key = o.getValue("idempotencyKey");
    if (key != null && !(key instanceof String && Publish.isValidIdempotencyKey((String) key))) {
      return Request.refused(
          ErrorCode.BAD_MESSAGE,
          "idempotencyKey must be a string of 1..256 visible ASCII characters");
    }
    Object changes = o.getValue("changes");
    Changes.Parsed parsed;
    if (changes != null) {
      if (!(changes instanceof JsonArray)) {
        return Request.refused(ErrorCode.BAD_MESSAGE, "changes must be an array");
      }
      parsed = Changes.parse(changes);
    } else {
      parsed = Changes.parse(o);
    }
    if (parsed.violation() != null) {
      String where = parsed.index() >= 0 ? " (change " + parsed.index() + ")" : "";
      return Request.refused(parsed.violation().code(), parsed.violation().message() + where);
    }
    return new Request((String) topic, parsed.changes(), (String) key, null);
  }

  /**
   * The reply to an applied {@code slipstream.publish}; a {@link JsonObject} because that is what
   * the producer receives.
   */
  public static JsonObject reply(String topic, String epoch, long firstSeq, long lastSeq) {
    return new JsonObject()
        .put("topic", topic)
        .put("epoch", epoch)
        .put("firstSeq", firstSeq)
        .put("lastSeq", lastSeq);
  }

  /**
   * The failure message of a refused {@code slipstream.publish}, {@code "<code>: <message>"}; the
   * failure code is the error's HTTP status.
   */
  public static String failure(ErrorCode code, String message) {
    return code.wireName() + ": " + message;
  }
}
