package io.slipstream.server.topic;

import io.slipstream.core.topic.ChangeRequest;
import java.util.List;

/**
 * A validated publish, sent to the topic's sequencer.
 *
 * <p>Immutable.
 *
 * @param topic a valid topic name
 * @param changes validated changes, applied all or nothing
 */
public record PublishCommand(String topic, List<ChangeRequest> changes) {

  /** The address of sequencer {@code shard}. */
  public static String address(int shard) {
    return "slipstream.sequencer." + shard;
  }
}
