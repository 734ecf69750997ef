package io.slipstream.server.protocol;

import io.slipstream.core.topic.ChangeEncoder;
import io.slipstream.core.topic.ChangeEvent;
import io.slipstream.core.topic.Row;
import java.nio.charset.StandardCharsets;

/**
 * Serializes {@code change} messages. A live change is serialized once by its topic and the bytes
 * are shared by every connection; a snapshot row is serialized per subscriber, as it is read.
 *
 * <p>Stateless and thread-safe. The row is written last so that a reader scanning for the
 * envelope's {@code "seq":} never meets a field of the row first.
 */
public final class ChangeFrames implements ChangeEncoder {

  /** The shared instance. */
  public static final ChangeFrames INSTANCE = new ChangeFrames();

  private ChangeFrames() {}

  @Override
  public byte[] encode(ChangeEvent e) {
    StringBuilder sb = envelope(e.topic(), e.epoch(), e.seq(), e.op().name(), e.key(), e.ts(), e.row());
    if (e.row() != null) {
      sb.append(",\"row\":").append(e.row());
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A snapshot row: an INSERT at the snapshot's seq with {@code snapshot: true}. */
  public static byte[] snapshotRow(String topic, String epoch, long seq, String key, Row row) {
    StringBuilder sb = envelope(topic, epoch, seq, "INSERT", key, row.ts(), row.json());
    sb.append(",\"snapshot\":true,\"row\":").append(row.json()).append('}');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static StringBuilder envelope(
      String topic, String epoch, long seq, String op, String key, long ts, String row) {
    StringBuilder sb = new StringBuilder(96 + key.length() + (row == null ? 0 : row.length()));
    sb.append("{\"type\":\"change\",\"topic\":\"").append(topic)
        .append("\",\"epoch\":\"").append(epoch)
        .append("\",\"seq\":").append(seq)
        .append(",\"op\":\"").append(op)
        .append("\",\"key\":");
    Json.quote(sb, key);
    sb.append(",\"ts\":").append(ts);
    return sb;
  }
}
