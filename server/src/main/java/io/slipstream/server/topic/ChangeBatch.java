package io.slipstream.server.topic;

import io.slipstream.core.topic.ChangeEvent;
import java.util.List;

/**
 * The events of one publish, in seq order, as the sequencer publishes them to every event loop; or,
 * after a delete, the new epoch's {@link ChangeEvent#epochStart} marker alone.
 *
 * <p>Immutable; delivered by reference (zero-copy) on the local event bus.
 *
 * @param topic the topic they belong to
 * @param events the events, gap-free and ascending
 */
public record ChangeBatch(String topic, List<ChangeEvent> events) {

  /** The event-bus address on which a topic's batches are published. */
  public static String address(String topic) {
    return "slipstream.changes." + topic;
  }
}
