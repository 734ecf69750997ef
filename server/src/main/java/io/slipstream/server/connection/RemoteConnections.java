package io.slipstream.server.connection;

import io.slipstream.core.spi.SessionAttachment;
import io.vertx.core.Future;

/**
 * Reaches a connection on another node whose session was resumed here (docs/protocol.md §7): it
 * closes that connection with 1000, and so makes it hand its positions over to the session. A
 * cluster wires it to the node's control address; a single node has no other node.
 *
 * <p>Thread-safe; the future may complete on any thread.
 */
@FunctionalInterface
public interface RemoteConnections {

  /** No other node can be reached: every resume from one falls back to the recorded positions. */
  RemoteConnections UNREACHABLE =
      replaced -> Future.failedFuture("no control channel to node " + replaced.node());

  /**
   * Closes {@code replaced} with 1000; completes once it has ended and the session store holds its
   * positions, or at once when it is gone; fails when its node cannot be reached in time.
   */
  Future<Void> closeReplaced(SessionAttachment replaced);
}
