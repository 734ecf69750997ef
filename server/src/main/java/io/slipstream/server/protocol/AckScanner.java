package io.slipstream.server.protocol;

import io.slipstream.core.topic.TopicName;

/**
 * Reads the common shape of {@code ack}, the message every subscriber sends again and again,
 * without building a JSON tree: {@code {"type":"ack","topic":T,"seq":N}} with an optional {@code
 * id}, its members in any order, with JSON whitespace. Anything else (another type, another member,
 * a repeated member, an escape or a non-ASCII character in a string, a number that is not a plain
 * non-negative integer, a bad topic) is not read here: {@link #scan} returns null and the frame goes
 * to the full strict parser, which gives it the same answer as before, or its error.
 *
 * <p>Why: a Jackson parser and a tree per ack were half of all the bytes a fan-out allocated
 * (docs/benchmarks.md, goal 4), for a message of four fields. For every text this returns non-null
 * on, the result equals what {@link Inbound#parseTree} gives (a property test holds it to that).
 *
 * <p>Stateless and thread-safe; allocates only the topic and id strings and the result.
 */
final class AckScanner {

  /** At most 18 digits: always a long, never a BigInteger. */
  private static final int MAX_DIGITS = 18;

  private static final int TYPE = 1;
  private static final int TOPIC = 2;
  private static final int SEQ = 4;
  private static final int ID = 8;

  private final String s;
  private int i;

  private AckScanner(String s) {
    this.s = s;
  }

  /** The parsed ack, or null when {@code text} is not in the shape read here. */
  static Inbound.Parsed scan(String text) {
    return new AckScanner(text).ack();
  }

  private Inbound.Parsed ack() {
    skipWs();
    if (!take('{')) {
      return null;
    }
    int seen = 0;
    String topic = null;
    long seq = -1;
    Object id = null;
    while (true) {
      skipWs();
      int key = key();
      if (key == 0 || (seen & key) != 0) {
        return null;
      }
      seen |= key;
      skipWs();
      if (!take(':')) {
        return null;
      }
      skipWs();
      switch (key) {
        case TYPE -> {
          if (!s.startsWith("\"ack\"", i)) {
            return null;
          }
          i += 5;
        }
        case TOPIC -> {
          topic = string(TopicName.MAX_LENGTH);
          if (topic == null || !TopicName.isValid(topic)) {
            return null;
          }
        }
        case SEQ -> {
          seq = integer();
          if (seq < 0) {
            return null;
          }
        }
        default -> {
          if (at() == '"') {
            id = string(Inbound.MAX_ID_CHARS);
            if (id == null) {
              return null;
            }
          } else {
            long n = integer();
            if (n < 0) {
              return null;
            }
            // What Jackson gives a JSON integer: an Integer when it fits, else a Long.
            id = n <= Integer.MAX_VALUE ? (Object) (int) n : (Object) n;
          }
        }
      }
      skipWs();
      if (take(',')) {
        continue;
      }
      if (!take('}')) {
        return null;
      }
      break;
    }
    skipWs();
    if (i != s.length() || (seen & (TYPE | TOPIC | SEQ)) != (TYPE | TOPIC | SEQ)) {
      return null;
    }
    return Inbound.Parsed.ok(new ClientMessage.Ack(id, topic, seq));
  }

  /** The member name as one of the bits above, 0 for any other. */
  private int key() {
    int k;
    if (s.startsWith("\"type\"", i)) {
      k = TYPE;
      i += 6;
    } else if (s.startsWith("\"topic\"", i)) {
      k = TOPIC;
      i += 7;
    } else if (s.startsWith("\"seq\"", i)) {
      k = SEQ;
      i += 5;
    } else if (s.startsWith("\"id\"", i)) {
      k = ID;
      i += 4;
    } else {
      k = 0;
    }
    return k;
  }

  /** A string of printable ASCII without escapes, of at most {@code max} chars; else null. */
  private String string(int max) {
    if (!take('"')) {
      return null;
    }
    int start = i;
    int end = Math.min(s.length(), start + max + 1);
    for (int j = start; j < end; j++) {
      char c = s.charAt(j);
      if (c == '"') {
        i = j + 1;
        return s.substring(start, j);
      }
      if (c < 0x20 || c > 0x7e || c == '\\') {
        return null;
      }
    }
    return null;
  }

  /** A plain non-negative JSON integer of at most 18 digits, followed by no fraction or exponent. */
  private long integer() {
    int start = i;
    long v = 0;
    while (i < s.length() && i - start <= MAX_DIGITS) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
      i++;
    }
    int digits = i - start;
    if (digits == 0 || digits > MAX_DIGITS || (digits > 1 && s.charAt(start) == '0')) {
      return -1;
    }
    char next = at();
    if (next == '.' || next == 'e' || next == 'E' || (next >= '0' && next <= '9')) {
      return -1;
    }
    return v;
  }

  private void skipWs() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      i++;
    }
  }

  private boolean take(char c) {
    if (i < s.length() && s.charAt(i) == c) {
      i++;
      return true;
    }
    return false;
  }

  private char at() {
    return i < s.length() ? s.charAt(i) : 0;
  }
}
