package io.slipstream.core.buffer;

import java.util.Optional;

/**
 * What a connection's buffer does with a live event that arrives when it is full (docs/protocol.md
 * §6).
 *
 * <p>Immutable; the constants are the wire and configuration names of {@code buffer.policy}.
 */
public enum DropPolicy {
  /**
   * Evict the oldest pending live events; a {@code dropped} marker per topic takes their place,
   * ahead of everything still pending.
   */
  DROP_OLDEST("drop-oldest"),
  /**
   * Refuse the new event; a {@code dropped} marker after its topic's last pending event names it
   * (and, when the marker needs room, the newest pending events too).
   */
  DROP_NEWEST("drop-newest"),
  /**
   * Compact a full buffer to the newest pending event per topic and key; replaced events are
   * counted in a {@code conflated} marker before each compacted run, so the client's state stays
   * exact. When compaction makes no room (more distinct keys pending than the bounds hold),
   * drop-oldest applies.
   */
  CONFLATE("conflate"),
  /**
   * Drop events pending longer than {@code buffer.maxAgeMs} at any fill ({@code dropped} reason
   * {@code age}); a full buffer drops its oldest (reason {@code buffer}).
   */
  BY_AGE("by-age"),
  /**
   * A full buffer drops the oldest events of its lowest-priority topic ({@code buffer.priorities},
   * reason {@code priority}).
   */
  PRIORITY("priority"),
  /**
   * A full buffer thins its fullest topic to every second pending event, never the newest, again
   * while it stays full (reason {@code sampled}).
   */
  SAMPLE("sample"),
  /** Close the connection with 4001 as soon as the buffer is full; nothing is dropped silently. */
  DISCONNECT("disconnect");

  private final String wireName;

  DropPolicy(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in configuration and in {@code welcome.buffer.policy}. */
  public String wireName() {
    return wireName;
  }

  /** Looks a policy up by its wire name, e.g. {@code drop-oldest}. */
  public static Optional<DropPolicy> fromWireName(String name) {
    for (DropPolicy p : values()) {
      if (p.wireName.equals(name)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
