package io.slipstream.core.spi;

import io.slipstream.core.topic.Position;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a {@link SessionStore#open} went: the session, its new token, and what to restore.
 *
 * <p>Immutable (the map is copied; it may hold null positions, meaning "from a snapshot").
 *
 * @param session the session id, as sent in {@code welcome.session}
 * @param token the new resume token, {@code <session>.<secret>}
 * @param resumed whether {@code hello.resume} named a live session
 * @param recorded the positions the session recorded when its last connection ended (empty for a
 *     fresh session). When {@code replaced} is null they are what to restore. When it is set they
 *     may be older than what the replaced connection will hand over, and serve only if its
 *     hand-over cannot be had (its node is gone)
 * @param replaced the connection that held the resumed session and must be closed, or null
 * @param qos the QoS class an operator moved the session to ({@link SessionStore#keepQos}), or
 *     null: what the connection's class is then chosen by
 */
public record OpenedSession(
    String session,
    String token,
    boolean resumed,
    Map<String, Position> recorded,
    SessionAttachment replaced,
    String qos) {

  public OpenedSession {
    if (session == null || token == null || recorded == null) {
      throw new IllegalArgumentException("session, token and recorded are required");
    }
    if (!resumed && (replaced != null || qos != null)) {
      throw new IllegalArgumentException("only a resumed session replaces a connection or keeps a class");
    }
    recorded = Collections.unmodifiableMap(new LinkedHashMap<>(recorded));
  }
}
