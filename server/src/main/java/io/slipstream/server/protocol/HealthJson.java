package io.slipstream.server.protocol;

/**
 * The body of {@code GET /health} (docs/protocol.md §10, Health and metrics): {@code {"status":
 * "serving"}} or {@code {"status": "unavailable"}}.
 *
 * <p>Stateless and thread-safe; the two bodies are constants.
 */
public final class HealthJson {

  private static final String SERVING = "{\"status\":\"serving\"}";
  private static final String UNAVAILABLE = "{\"status\":\"unavailable\"}";

  private HealthJson() {}

  /** The body for a node that serves (200) or does not (503, starting or draining). */
  public static String body(boolean serving) {
    return serving ? SERVING : UNAVAILABLE;
  }
}
