package io.slipstream.server.protocol;

import io.vertx.core.json.JsonObject;

/**
 * The body of a {@code slipstream.lifecycle} event (docs/protocol.md §11): {@code {"event",
 * "session", "connection", "ts", "reason"?}}.
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
}
