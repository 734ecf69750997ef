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
 *
 * <p>Writes UTF-8 straight into one array of the exact size: no builder to grow, no intermediate
 * String (a frame costs one allocation of its own length, plus the escaped key in the rare case
 * that the key needs escaping).
 */
public final class ChangeFrames implements ChangeEncoder {

  /** The shared instance. */
  public static final ChangeFrames INSTANCE = new ChangeFrames();

  private static final byte[] TYPE_TOPIC = ascii("{\"type\":\"change\",\"topic\":\"");
  private static final byte[] EPOCH = ascii("\",\"epoch\":\"");
  private static final byte[] SEQ = ascii("\",\"seq\":");
  private static final byte[] OP = ascii(",\"op\":\"");
  private static final byte[] KEY = ascii("\",\"key\":");
  private static final byte[] TS = ascii(",\"ts\":");
  private static final byte[] SNAPSHOT = ascii(",\"snapshot\":true");
  private static final byte[] ROW = ascii(",\"row\":");

  private ChangeFrames() {}

  @Override
  public byte[] encode(ChangeEvent e) {
    return frame(e.topic(), e.epoch(), e.seq(), e.op().name(), e.key(), e.ts(), false, e.row());
  }

  /** A snapshot row: an INSERT at the snapshot's seq with {@code snapshot: true}. */
  public static byte[] snapshotRow(String topic, String epoch, long seq, String key, Row row) {
    return frame(topic, epoch, seq, "INSERT", key, row.ts(), true, row.json());
  }

  private static byte[] frame(
      String topic, String epoch, long seq, String op, String key, long ts, boolean snapshot, String row) {
    // Topic names, epochs and ops are ASCII without characters JSON must escape.
    // Most keys need no escaping: then the key is written as is between quotes.
    String quotedKey = Json.needsEscaping(key) ? Json.quote(new StringBuilder(key.length() + 8), key).toString() : null;
    String seqText = Long.toString(seq);
    String tsText = Long.toString(ts);
    int size =
        TYPE_TOPIC.length + topic.length() + EPOCH.length + epoch.length() + SEQ.length
            + seqText.length() + OP.length + op.length() + KEY.length
            + (quotedKey == null ? utf8Length(key) + 2 : utf8Length(quotedKey))
            + TS.length + tsText.length() + (snapshot ? SNAPSHOT.length : 0)
            + (row == null ? 0 : ROW.length + utf8Length(row)) + 1;
    byte[] out = new byte[size];
    int at = put(out, 0, TYPE_TOPIC);
    at = putAscii(out, at, topic);
    at = put(out, at, EPOCH);
    at = putAscii(out, at, epoch);
    at = put(out, at, SEQ);
    at = putAscii(out, at, seqText);
    at = put(out, at, OP);
    at = putAscii(out, at, op);
    at = put(out, at, KEY);
    if (quotedKey == null) {
      out[at++] = '"';
      at = putUtf8(out, at, key);
      out[at++] = '"';
    } else {
      at = putUtf8(out, at, quotedKey);
    }
    at = put(out, at, TS);
    at = putAscii(out, at, tsText);
    if (snapshot) {
      at = put(out, at, SNAPSHOT);
    }
    if (row != null) {
      at = put(out, at, ROW);
      at = putUtf8(out, at, row);
    }
    out[at] = '}';
    return out;
  }

  private static int put(byte[] out, int at, byte[] part) {
    System.arraycopy(part, 0, out, at, part.length);
    return at + part.length;
  }

  private static int putAscii(byte[] out, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      out[at++] = (byte) s.charAt(i);
    }
    return at;
  }

  /** UTF-8 of {@code s}; a lone surrogate becomes '?', as {@code String.getBytes} does. */
  private static int putUtf8(byte[] out, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out[at++] = (byte) c;
      } else if (c < 0x800) {
        out[at++] = (byte) (0xC0 | (c >> 6));
        out[at++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        int cp = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
            ? Character.toCodePoint(c, s.charAt(++i))
            : -1;
        if (cp < 0) {
          out[at++] = '?';
        } else {
          out[at++] = (byte) (0xF0 | (cp >> 18));
          out[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          out[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          out[at++] = (byte) (0x80 | (cp & 0x3F));
        }
      } else {
        out[at++] = (byte) (0xE0 | (c >> 12));
        out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[at++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return at;
  }

  /** The length {@link #putUtf8} writes. */
  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          n += 4;
          i++;
        } else {
          n++;
        }
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
