package io.slipstream.core.spi;

import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Topic;
import java.util.List;

/**
 * How committed batches reach this node's connections: the receiving end, implemented by the node
 * (which hands them to its hub). It is called after the topic's local replica has applied them, so
 * a subscriber that reads the replica and then takes the batches misses nothing.
 *
 * <p>Calls for one topic come one at a time and in seq order (a batch's events are gap-free and
 * follow the previous batch, or follow a {@link #reset}); calls for different topics may come from
 * different threads at once. Implementations must not block. Single node: the sequencer calls it
 * directly, right after applying. In a cluster: after the node's feed has received, reordered and
 * gap-filled the batches and applied them to the replica.
 */
public interface Feed {

  /** {@code events} were applied to {@code replica}, which now stands at the last of them. */
  void committed(Topic replica, List<ChangeEvent> events);

  /**
   * {@code replica} was emptied under the new {@code epoch} (a delete, docs/protocol.md §10): its
   * subscribers get {@code reset {reason: deleted}} and a new, empty snapshot.
   */
  void reset(Topic replica, String epoch);
}
