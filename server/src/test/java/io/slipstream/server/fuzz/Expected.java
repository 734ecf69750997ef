package io.slipstream.server.fuzz;

import io.slipstream.server.fuzz.ContractOracle.IdCheck;
import java.util.Set;

/**
 * What the server must send for one client frame (docs/protocol.md): a control reply, a
 * subscription's stream, or a close. A frame may expect nothing (a valid {@code ack} or {@code
 * pong}), one reply, a reply and streams ({@code hello} with {@code positions}), or a close.
 *
 * <p>Immutable.
 */
sealed interface Expected {

  /** The frame that calls for it. */
  Frame cause();

  /**
   * A control reply, in order with the other control replies: {@code welcome}, {@code pong},
   * {@code unsubscribed} (with {@code topic}) or {@code error} (with one of {@code codes}).
   */
  record Reply(String type, IdCheck id, String topic, Set<String> codes, Frame cause)
      implements Expected {

    Reply(String type, IdCheck id, String topic, Frame cause) {
      this(type, id, topic, Set.of(), cause);
    }
  }

  /**
   * A subscription's stream: {@code subscribed} (mode and seq as given, id as checked), then a
   * snapshot of the fixture topic at its seq, or the replay of its changes after {@code seq}.
   */
  record Stream(String topic, IdCheck id, boolean snapshot, long seq, Frame cause)
      implements Expected {}

  /** The server closes, with one of {@code codes} (1006: no close frame at all). */
  record Close(Set<Integer> codes, Frame cause) implements Expected {}
}
