package io.slipstream.cluster.session;

import io.slipstream.core.spi.SessionStore;

/**
 * A {@link SessionStore} over the cluster's {@code slipstream.sessions} map, which the node closes
 * before it leaves: closing removes its listeners and stops its background work, and leaves the
 * sessions in the map.
 *
 * <p>Thread-safe.
 */
public interface ClusterSessionStore extends SessionStore, AutoCloseable {

  @Override
  void close();
}
