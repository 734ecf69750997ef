package io.slipstream.cluster.session;

import io.slipstream.cluster.session.SessionAnswer.Kind;
import java.util.Map;

/** The holder takes the positions replaced connections handed over to it. */
final class TakeHandedOver extends HolderProcessor {

  /** For deserialization only. */
  TakeHandedOver() {}

  TakeHandedOver(String node, String connection) {
    super(node, connection);
  }

  @Override
  SessionAnswer byHolder(Map.Entry<String, StoredSession> entry, StoredSession s) {
    if (!s.handedOver().isEmpty()) {
      store(entry, s.taken(), ReplicateSession.KEEP_TTL);
    }
    return SessionAnswer.of(Kind.TAKEN, s.handedOver());
  }

  @Override
  public int getClassId() {
    return SessionSerialization.TAKE;
  }
}
