package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.cluster.session.SessionAnswer.Kind;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * The holder records the QoS class an operator moved it to, so the session's later connections, on
 * any node, start in it.
 *
 * <p>Idempotent: a second run stores the same value.
 */
final class KeepQos extends HolderProcessor {

  private String qos;

  /** For deserialization only. */
  KeepQos() {}

  KeepQos(String node, String connection, String qos) {
    super(node, connection);
    this.qos = qos;
  }

  @Override
  SessionAnswer byHolder(Map.Entry<String, StoredSession> entry, StoredSession s) {
    if (!Objects.equals(s.qos(), qos)) {
      // Held, so attached: no TTL runs, and none is set.
      store(entry, s.withQos(qos), ReplicateSession.NO_TTL);
    }
    return SessionAnswer.of(Kind.RECORDED);
  }

  @Override
  public int getClassId() {
    return SessionSerialization.KEEP_QOS;
  }

  @Override
  void writeMore(ObjectDataOutput out) throws IOException {
    out.writeString(qos);
  }

  @Override
  void readMore(ObjectDataInput in) throws IOException {
    qos = in.readString();
  }
}
