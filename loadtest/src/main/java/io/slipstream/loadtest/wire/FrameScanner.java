package io.slipstream.loadtest.wire;

/**
 * Reads single fields out of a JSON text frame by scanning for {@code "name":} rather than parsing
 * the whole message, so that a client costs less CPU per delivery than the server that produced it.
 *
 * <p>Stateless and thread-safe. Every method works on a range {@code [from, to)} of a string, so
 * one frame holding a JSON array of messages (the {@code batch} option) is read without copying.
 * The scanner assumes compact JSON (no space between a name and its colon), as every JSON encoder
 * the server uses emits, and that the needle does not occur inside an earlier string value; the
 * tool guarantees the latter by choosing the row's content (its keys and padding contain no quotes)
 * and searching envelope fields that precede free text.
 */
public final class FrameScanner {

  /** Returned by {@link #longField} when the field is absent or not a number. */
  public static final long ABSENT = Long.MIN_VALUE;

  private static final String TYPE = "\"type\":\"";

  private FrameScanner() {}

  /** The index of {@code needle} in {@code s[from, to)}, or -1. */
  public static int indexOf(String s, String needle, int from, int to) {
    int i = s.indexOf(needle, from);
    return i < 0 || i + needle.length() > to ? -1 : i;
  }

  /**
   * Whether the message in {@code s[from, to)} has {@code "type":"<type>"}. Allocation-free; the
   * common case (type first, as the server writes it) costs one region comparison.
   */
  public static boolean typeIs(String s, int from, int to, String type) {
    int i = indexOf(s, TYPE, from, to);
    if (i < 0) {
      return false;
    }
    int v = i + TYPE.length();
    return v + type.length() < to && s.startsWith(type, v) && s.charAt(v + type.length()) == '"';
  }

  /** The message's {@code type}, allocated; for control messages only. Null when absent. */
  public static String type(String s, int from, int to) {
    return stringField(s, "\"type\":", from, to);
  }

  /**
   * The integer after {@code needle} (which includes the quotes and colon, e.g. {@code "seq":}), or
   * {@link #ABSENT}. A fractional part is truncated; an exponent is not supported.
   */
  public static long longField(String s, String needle, int from, int to) {
    int i = indexOf(s, needle, from, to);
    if (i < 0) {
      return ABSENT;
    }
    return parseLong(s, i + needle.length(), to);
  }

  /** The integer starting at {@code pos} (after optional blanks), or {@link #ABSENT}. */
  public static long parseLong(String s, int pos, int to) {
    int p = pos;
    while (p < to && s.charAt(p) == ' ') {
      p++;
    }
    boolean negative = false;
    if (p < to && s.charAt(p) == '-') {
      negative = true;
      p++;
    }
    int start = p;
    long v = 0;
    while (p < to) {
      char c = s.charAt(p);
      if (c < '0' || c > '9') {
        break;
      }
      if (p - start >= 18) {
        return ABSENT; // would overflow; no field we read is that large
      }
      v = v * 10 + (c - '0');
      p++;
    }
    if (p == start) {
      return ABSENT;
    }
    return negative ? -v : v;
  }

  /** Whether {@code s[from, to)} contains {@code needle} (e.g. {@code "snapshot":true}). */
  public static boolean contains(String s, String needle, int from, int to) {
    return indexOf(s, needle, from, to) >= 0;
  }

  /**
   * Whether the string value after {@code needle} equals {@code expected} exactly (no escapes in
   * {@code expected}); allocation-free.
   */
  public static boolean stringFieldEquals(
      String s, String needle, int from, int to, String expected) {
    int i = indexOf(s, needle, from, to);
    if (i < 0) {
      return false;
    }
    int q = i + needle.length();
    while (q < to && s.charAt(q) == ' ') {
      q++;
    }
    if (q >= to || s.charAt(q) != '"') {
      return false;
    }
    int v = q + 1;
    int end = v + expected.length();
    return end < to && s.startsWith(expected, v) && s.charAt(end) == '"';
  }

  /** The unescaped string value after {@code needle}, or null when absent or not a string. */
  public static String stringField(String s, String needle, int from, int to) {
    int i = indexOf(s, needle, from, to);
    if (i < 0) {
      return null;
    }
    int q = i + needle.length();
    while (q < to && s.charAt(q) == ' ') {
      q++;
    }
    if (q >= to || s.charAt(q) != '"') {
      return null;
    }
    StringBuilder out = new StringBuilder();
    int end = readString(s, q, to, out);
    return end < 0 ? null : out.toString();
  }

  /**
   * Reads the JSON string whose opening quote is at {@code quote}, appending its unescaped value to
   * {@code out}; returns the index after the closing quote, or -1 when it is unterminated or
   * malformed.
   */
  public static int readString(String s, int quote, int to, StringBuilder out) {
    int p = quote + 1;
    while (p < to) {
      // Copy the run up to the next quote or backslash in one go.
      int q = s.indexOf('"', p);
      int b = s.indexOf('\\', p);
      int stop = q < 0 ? (b < 0 ? to : b) : (b < 0 ? q : Math.min(q, b));
      if (stop >= to) {
        return -1;
      }
      out.append(s, p, stop);
      p = stop;
      char c = s.charAt(p);
      if (c == '"') {
        return p + 1;
      }
      if (p + 1 >= to) {
        return -1;
      }
      char e = s.charAt(p + 1);
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.append(e);
          break;
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'n':
          out.append('\n');
          break;
        case 'r':
          out.append('\r');
          break;
        case 't':
          out.append('\t');
          break;
        case 'u':
          if (p + 6 > to) {
            return -1;
          }
          int cp = 0;
          for (int k = p + 2; k < p + 6; k++) {
            int d = Character.digit(s.charAt(k), 16);
            if (d < 0) {
              return -1;
            }
            cp = cp * 16 + d;
          }
          out.append((char) cp);
          p += 4;
          break;
        default:
          return -1;
      }
      p += 2;
    }
    return -1;
  }

  /** Receives the range of one element of a JSON array. */
  @FunctionalInterface
  public interface RangeHandler {
    /** Called with the element {@code s[from, to)}. */
    void element(String s, int from, int to);
  }

  /**
   * Calls {@code handler} with each top-level element of the JSON array in {@code s[from, to)}, or
   * once with the whole range when it is not an array (one message per frame). Returns the number
   * of elements, or -1 when the array is malformed (elements up to the fault were passed).
   */
  public static int forEachMessage(String s, int from, int to, RangeHandler handler) {
    int p = skipBlanks(s, from, to);
    if (p >= to || s.charAt(p) != '[') {
      handler.element(s, from, to);
      return 1;
    }
    int count = 0;
    p++;
    while (true) {
      p = skipBlanks(s, p, to);
      if (p >= to) {
        return -1;
      }
      if (s.charAt(p) == ']') {
        return count;
      }
      int end = valueEnd(s, p, to);
      if (end < 0) {
        return -1;
      }
      handler.element(s, p, end);
      count++;
      p = skipBlanks(s, end, to);
      if (p < to && s.charAt(p) == ',') {
        p++;
      } else if (p < to && s.charAt(p) == ']') {
        return count;
      } else {
        return -1;
      }
    }
  }

  /** The index after the JSON value starting at {@code p}, or -1. Tracks strings and nesting. */
  static int valueEnd(String s, int p, int to) {
    char c = s.charAt(p);
    if (c == '"') {
      return skipString(s, p, to);
    }
    if (c != '{' && c != '[') {
      int q = p;
      while (q < to) {
        char d = s.charAt(q);
        if (d == ',' || d == ']' || d == '}' || d == ' ') {
          break;
        }
        q++;
      }
      return q;
    }
    int depth = 0;
    int q = p;
    while (q < to) {
      char d = s.charAt(q);
      if (d == '"') {
        q = skipString(s, q, to);
        if (q < 0) {
          return -1;
        }
        continue;
      }
      if (d == '{' || d == '[') {
        depth++;
      } else if (d == '}' || d == ']') {
        depth--;
        if (depth == 0) {
          return q + 1;
        }
      }
      q++;
    }
    return -1;
  }

  /**
   * The index after the string whose opening quote is at {@code quote}, or -1. Jumps from quote to
   * quote with {@link String#indexOf(int, int)} (vectorised by the JDK) instead of walking every
   * character: row padding is most of a frame.
   */
  private static int skipString(String s, int quote, int to) {
    int q = quote + 1;
    while (true) {
      int close = s.indexOf('"', q);
      if (close < 0 || close >= to) {
        return -1;
      }
      int backslashes = 0;
      for (int b = close - 1; b > quote && s.charAt(b) == '\\'; b--) {
        backslashes++;
      }
      if ((backslashes & 1) == 0) {
        return close + 1;
      }
      q = close + 1;
    }
  }

  private static int skipBlanks(String s, int p, int to) {
    while (p < to) {
      char c = s.charAt(p);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        break;
      }
      p++;
    }
    return p;
  }
}
