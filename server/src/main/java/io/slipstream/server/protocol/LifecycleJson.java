package io.slipstream.server.protocol;

import io.vertx.core.json.JsonObject;

/**
 * The body of a {@code slipstream.lifecycle} event (docs/protocol.md §11): {@code {"event",
 * "session", "connection", "ts", "reason"?, "figures"?}}.
 *
 * <p>Stateless and thread-safe. The body is a {@link JsonObject} because event-bus consumers
 * receive it as one; whoever publishes it hands it over without reading it.
 */
public final class LifecycleJson {

  private LifecycleJson() {}

  /**
   * One event.
   *
   * @param event the event's wire name ({@code connected}, {@code slow}, ...)
   * @param session the session id, or null before hello
   * @param connection the connection id
   * @param ts when it happened, ms since the Unix epoch
   * @param reason why, or null (no {@code reason} field)
   */
  public static JsonObject event(
      String event, String session, String connection, long ts, String reason) {
    JsonObject o =
        new JsonObject()
            .put("event", event)
            .put("session", session)
            .put("connection", connection)
            .put("ts", ts);
    if (reason != null) {
      o.put("reason", reason);
    }
    return o;
  }

  /**
   * One event with the figures of the connection's quality that caused it (docs/protocol.md §11):
   * {@code figures: {fill, pending, growthPerSec, offeredPerSec, sentPerSec, ackLagMs: {p50, p99},
   * stalledMs}}.
   */
  public static JsonObject event(
      String event, String session, String connection, long ts, String reason, Figures figures) {
    JsonObject o = event(event, session, connection, ts, reason);
    if (figures != null) {
      o.put("figures", figures.toJson());
    }
    return o;
  }

  /**
   * What a connection's quality is made of, at one instant.
   *
   * @param fill the buffer's fill, 0..1
   * @param pending events waiting (the buffer's, and what catch-ups lag by)
   * @param growthPerSec how fast pending grew over the last quality tick, events/s
   * @param offeredPerSec live events for the connection (buffered or straight to its socket) per
   *     second over the last tick
   * @param sentPerSec messages written per second over the last tick
   * @param ackLagP50 median lag of the last acks, ms, or null before any
   * @param ackLagP99 99th percentile of the last acks' lag, ms, or null before any
   * @param stalledMs how long the socket has taken no bytes while frames wait, ms
   */
  public record Figures(
      double fill,
      long pending,
      double growthPerSec,
      double offeredPerSec,
      double sentPerSec,
      Long ackLagP50,
      Long ackLagP99,
      long stalledMs) {

    JsonObject toJson() {
      return new JsonObject()
          .put("fill", Math.round(fill * 1000) / 1000.0)
          .put("pending", pending)
          .put("growthPerSec", Math.round(growthPerSec * 10) / 10.0)
          .put("offeredPerSec", Math.round(offeredPerSec * 10) / 10.0)
          .put("sentPerSec", Math.round(sentPerSec * 10) / 10.0)
          .put("ackLagMs", new JsonObject().put("p50", ackLagP50).put("p99", ackLagP99))
          .put("stalledMs", stalledMs);
    }
  }
}
