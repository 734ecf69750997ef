package io.slipstream.server.connection;

/**
 * How well a connection keeps up (docs/protocol.md §10, {@code quality} in {@code GET
 * /api/connections}), from best to worst.
 *
 * <p>Immutable and thread-safe.
 */
public enum Quality {
  /** Keeps up: nothing of the below. */
  HEALTHY("healthy"),
  /**
   * Falling behind before any threshold of the buffer: pending events grew for {@code
   * quality.growthMs}, the ack-lag p99 is over {@code quality.ackLagMs}, or the socket took no
   * bytes for {@code quality.stallMs} while frames waited.
   */
  LAGGING("lagging"),
  /** The buffer's fill is at or above {@code buffer.warn}. */
  WARNED("warned"),
  /** The buffer has dropped events since its fill was last below {@code buffer.warn}. */
  DROPPING("dropping"),
  /** The fill is at or above {@code buffer.disconnect}: the {@code sustainMs} timer runs (4001). */
  SLOW("slow");

  private final String wireName;

  Quality(String wireName) {
    this.wireName = wireName;
  }

  /** The name in {@code /api/connections} and in lifecycle events. */
  public String wireName() {
    return wireName;
  }

  /** The quality named {@code wireName}, or null. */
  public static Quality byWireName(String wireName) {
    for (Quality q : values()) {
      if (q.wireName.equals(wireName)) {
        return q;
      }
    }
    return null;
  }
}
