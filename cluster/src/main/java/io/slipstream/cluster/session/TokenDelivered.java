package io.slipstream.cluster.session;

import io.slipstream.cluster.session.SessionAnswer.Kind;
import java.util.Map;

/**
 * The holder delivered the {@code welcome} with the token its resume got: the token that resume
 * was made with stops resuming the session ({@link ResumeSession}).
 *
 * <p>Idempotent: a second run finds nothing left to retire.
 */
final class TokenDelivered extends HolderProcessor {

  /** For deserialization only. */
  TokenDelivered() {}

  TokenDelivered(String node, String connection) {
    super(node, connection);
  }

  @Override
  SessionAnswer byHolder(Map.Entry<String, StoredSession> entry, StoredSession s) {
    if (s.awaitingDelivery()) {
      // Held, so attached: no TTL runs, and none is set.
      store(entry, s.delivered(), ReplicateSession.NO_TTL);
    }
    return SessionAnswer.of(Kind.RECORDED);
  }

  @Override
  public int getClassId() {
    return SessionSerialization.TOKEN_DELIVERED;
  }
}
