package io.slipstream.server.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Topics as {@code GET /api/topics} and {@code GET /api/topics/{topic}} describe them
 * (docs/protocol.md §10, Topics); their rows are {@link RowsJson}'s.
 *
 * <p>Stateless and thread-safe.
 */
public final class TopicJson {

  /**
   * One topic at one instant.
   *
   * @param topic the topic's name
   * @param epoch its epoch
   * @param seq the seq of its last change, 0 before any
   * @param rows how many rows it holds
   * @param subscribers how many subscriptions on this node follow it
   */
  public record Summary(String topic, String epoch, long seq, int rows, int subscribers) {

    private JsonObject toJson() {
      return new JsonObject()
          .put("topic", topic)
          .put("epoch", epoch)
          .put("seq", seq)
          .put("rows", rows)
          .put("subscribers", subscribers);
    }
  }

  private TopicJson() {}

  /** The answer of {@code GET /api/topics}: an array of summaries, in the given order. */
  public static String list(List<Summary> topics) {
    JsonArray out = new JsonArray();
    for (Summary s : topics) {
      out.add(s.toJson());
    }
    return out.encode();
  }

  /**
   * The answer of {@code GET /api/topics/{topic}}: the summary and the seqs the replay log holds,
   * {@code "replay": {"from", "to"}}.
   *
   * @param replayFrom the first seq the log holds, 0 when it holds none
   * @param replayTo the last seq the log holds, 0 when it holds none
   */
  public static String detail(Summary s, long replayFrom, long replayTo) {
    return s.toJson()
        .put("replay", new JsonObject().put("from", replayFrom).put("to", replayTo))
        .encode();
  }
}
