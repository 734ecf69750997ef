package io.slipstream.core.spi.local;

import io.slipstream.core.session.SessionRegistry;
import io.slipstream.core.spi.SessionStore;
import io.slipstream.core.time.Clock;

/**
 * Builds the single-node {@link SessionStore}: sessions in this node's memory, as before
 * clustering.
 *
 * <p>Stateless and thread-safe.
 */
public final class LocalSessionStores {

  private LocalSessionStores() {}

  /**
   * A store of at most {@code maxSessions} sessions, each kept {@code ttlMs} after its connection
   * ends (on {@code clock}'s monotonic millis) with at most {@code maxSubscriptions} positions.
   */
  public static SessionStore create(
      long ttlMs, int maxSessions, int maxSubscriptions, Clock clock) {
    return new LocalSessionStore(new SessionRegistry(ttlMs, maxSessions, maxSubscriptions, clock));
  }
}
