package io.slipstream.cluster.session;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.slipstream.core.topic.Position;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The serialized forms shared by this package's {@code IdentifiedDataSerializable}s: position
 * maps, whose values may be null (restart from a snapshot).
 *
 * <p>Stateless and thread-safe.
 */
final class SessionWire {

  private SessionWire() {}

  static void checkFormat(byte seen, byte expected, String what) throws IOException {
    if (seen != expected) {
      throw new IOException(what + " format " + seen + " is unknown, this node reads " + expected);
    }
  }

  static void writePositions(ObjectDataOutput out, Map<String, Position> positions)
      throws IOException {
    out.writeInt(positions.size());
    for (Map.Entry<String, Position> e : positions.entrySet()) {
      out.writeString(e.getKey());
      Position p = e.getValue();
      out.writeBoolean(p != null);
      if (p != null) {
        out.writeString(p.epoch());
        out.writeLong(p.seq());
      }
    }
  }

  static Map<String, Position> readPositions(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    if (n == 0) {
      return Map.of();
    }
    Map<String, Position> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String topic = in.readString();
      out.put(topic, in.readBoolean() ? new Position(in.readString(), in.readLong()) : null);
    }
    return Collections.unmodifiableMap(out);
  }

  static void writeNodes(ObjectDataOutput out, Set<String> nodes) throws IOException {
    out.writeInt(nodes.size());
    for (String n : nodes) {
      out.writeString(n);
    }
  }

  static Set<String> readNodes(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    String[] read = new String[n];
    for (int i = 0; i < n; i++) {
      read[i] = in.readString();
    }
    return Set.of(read);
  }
}
