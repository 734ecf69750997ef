package io.slipstream.server.protocol;

import io.slipstream.core.buffer.BufferLimits;
import io.slipstream.core.message.DropReason;
import io.slipstream.core.message.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Serializes the server's control messages (docs/protocol.md §4); {@code change} messages are in
 * {@link ChangeFrames}.
 *
 * <p>Stateless and thread-safe. Every method returns the UTF-8 bytes of one message.
 */
public final class Outbound {

  /** {@code subscribed.mode}: how a subscription starts. */
  public enum Mode {
    /** Full state as INSERT rows, then changes after the snapshot's seq. */
    SNAPSHOT("snapshot"),
    /** Changes after the client's {@code from.seq}, from the replay log. */
    REPLAY("replay");

    private final String wireName;

    Mode(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /** {@code reset.reason}. */
  public enum ResetReason {
    /** The topic's epoch is not the one the client knew. */
    EPOCH_CHANGED("epoch-changed"),
    /** The client's position is older than the replay log holds. */
    OUT_OF_WINDOW("out-of-window"),
    /**
     * The topic was deleted ({@code DELETE /api/topics/{topic}}, docs/protocol.md §10): the
     * subscription stays, on the empty topic's new epoch.
     */
    DELETED("deleted");

    private final String wireName;

    ResetReason(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  private static final byte[] PING = bytes(new JsonObject().put("type", "ping"));

  private Outbound() {}

  /** {@code welcome}; {@code qos} is the class in force and {@code buffer} its limits. */
  public static byte[] welcome(
      String session,
      String resume,
      boolean resumed,
      long heartbeatMs,
      String qos,
      BufferLimits buffer) {
    return bytes(
        new JsonObject()
            .put("type", "welcome")
            .put("session", session)
            .put("resume", resume)
            .put("resumed", resumed)
            .put("heartbeatMs", heartbeatMs)
            .put(
                "buffer",
                new JsonObject()
                    .put("max", buffer.maxEvents())
                    .put("maxBytes", buffer.maxBytes())
                    .put("warn", buffer.warn())
                    .put("disconnect", buffer.disconnect())
                    .put("policy", buffer.policy().wireName()))
            .put("qos", qos));
  }

  public static byte[] subscribed(Object id, String topic, String epoch, long seq, Mode mode) {
    return bytes(
        withId(
            new JsonObject()
                .put("type", "subscribed")
                .put("topic", topic)
                .put("epoch", epoch)
                .put("seq", seq)
                .put("mode", mode.wireName()),
            id));
  }

  public static byte[] snapshotBegin(String topic, String epoch, long seq, int size) {
    return bytes(
        new JsonObject()
            .put("type", "snapshot")
            .put("topic", topic)
            .put("epoch", epoch)
            .put("seq", seq)
            .put("phase", "begin")
            .put("size", size));
  }

  public static byte[] snapshotEnd(String topic, String epoch, long seq) {
    return bytes(
        new JsonObject()
            .put("type", "snapshot")
            .put("topic", topic)
            .put("epoch", epoch)
            .put("seq", seq)
            .put("phase", "end"));
  }

  public static byte[] dropped(String topic, long from, long to, long count, DropReason reason) {
    return bytes(
        new JsonObject()
            .put("type", "dropped")
            .put("topic", topic)
            .put("from", from)
            .put("to", to)
            .put("count", count)
            .put("reason", reason.wireName()));
  }

  /** A {@code conflated} marker (docs/protocol.md §4): a compacted run {@code from..to} follows. */
  public static byte[] conflated(String topic, long from, long to, long count) {
    return bytes(
        new JsonObject()
            .put("type", "conflated")
            .put("topic", topic)
            .put("from", from)
            .put("to", to)
            .put("count", count));
  }

  public static byte[] warning(double fill, int pending, int max) {
    return bytes(
        new JsonObject()
            .put("type", "warning")
            .put("reason", "buffer")
            .put("fill", Math.round(fill * 1000) / 1000.0)
            .put("pending", pending)
            .put("max", max));
  }

  public static byte[] reset(String topic, ResetReason reason) {
    return bytes(
        new JsonObject().put("type", "reset").put("topic", topic).put("reason", reason.wireName()));
  }

  /**
   * {@code authed}: the answer to {@code auth}; {@code exp} is the new token's (seconds since the
   * Unix epoch), absent for a token without one.
   */
  public static byte[] authed(Object id, Long exp) {
    JsonObject o = new JsonObject().put("type", "authed");
    if (exp != null) {
      o.put("exp", exp);
    }
    return bytes(withId(o, id));
  }

  public static byte[] unsubscribed(Object id, String topic) {
    return bytes(withId(new JsonObject().put("type", "unsubscribed").put("topic", topic), id));
  }

  public static byte[] pong(Object id) {
    return bytes(withId(new JsonObject().put("type", "pong"), id));
  }

  public static byte[] ping() {
    return PING;
  }

  /**
   * {@code close}: the close code and reason, sent as the last message on transports that cannot
   * carry a close code themselves (SockJS in Vert.x always closes with 3000).
   */
  public static byte[] close(io.slipstream.core.message.CloseCode code) {
    return bytes(
        new JsonObject()
            .put("type", "close")
            .put("code", code.code())
            .put("reason", code.reason()));
  }

  public static byte[] error(ErrorCode code, String message, Object id) {
    return bytes(
        withId(
            new JsonObject()
                .put("type", "error")
                .put("code", code.wireName())
                .put("message", message),
            id));
  }

  private static JsonObject withId(JsonObject o, Object id) {
    return id == null ? o : o.put("id", id);
  }

  private static byte[] bytes(JsonObject o) {
    return o.encode().getBytes(StandardCharsets.UTF_8);
  }
}
