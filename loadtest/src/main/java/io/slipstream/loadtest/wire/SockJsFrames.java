package io.slipstream.loadtest.wire;

/**
 * Reads and writes the frames of the SockJS websocket transport.
 *
 * <p>Stateless and thread-safe. Server frames: {@code o} open, {@code h} heartbeat, {@code a[...]}
 * an array of JSON strings each holding one message, {@code m"..."} one message (old servers),
 * {@code c[code,"reason"]} close.
 */
public final class SockJsFrames {

  /** Receives what a SockJS frame carried. */
  public interface Sink {
    /** One application message (the JSON text the server sent). */
    void message(String json);

    /** The {@code o} frame. */
    default void open() {}

    /** An {@code h} frame. */
    default void heartbeat() {}

    /** A {@code c} frame. */
    default void close(int code, String reason) {}
  }

  private SockJsFrames() {}

  /** Decodes {@code frame}; returns false when it is not a SockJS frame. */
  public static boolean decode(String frame, Sink sink) {
    if (frame.isEmpty()) {
      return false;
    }
    char kind = frame.charAt(0);
    switch (kind) {
      case 'o':
        sink.open();
        return true;
      case 'h':
        sink.heartbeat();
        return true;
      case 'a':
        return decodeArray(frame, sink);
      case 'm':
        {
          StringBuilder sb = new StringBuilder();
          if (frame.length() < 2 || FrameScanner.readString(frame, 1, frame.length(), sb) < 0) {
            return false;
          }
          sink.message(sb.toString());
          return true;
        }
      case 'c':
        {
          int to = frame.length();
          long code = FrameScanner.parseLong(frame, 2, to);
          int q = frame.indexOf('"');
          String reason = "";
          if (q > 0) {
            StringBuilder sb = new StringBuilder();
            if (FrameScanner.readString(frame, q, to, sb) > 0) {
              reason = sb.toString();
            }
          }
          sink.close(code == FrameScanner.ABSENT ? 0 : (int) code, reason);
          return true;
        }
      default:
        return false;
    }
  }

  private static boolean decodeArray(String frame, Sink sink) {
    int to = frame.length();
    int p = 1;
    if (p >= to || frame.charAt(p) != '[') {
      return false;
    }
    p++;
    StringBuilder sb = new StringBuilder(to);
    while (p < to) {
      char c = frame.charAt(p);
      if (c == ']') {
        return true;
      }
      if (c == ',' || c == ' ') {
        p++;
        continue;
      }
      if (c != '"') {
        return false;
      }
      sb.setLength(0);
      int end = FrameScanner.readString(frame, p, to, sb);
      if (end < 0) {
        return false;
      }
      sink.message(sb.toString());
      p = end;
    }
    return false;
  }

  /** Appends {@code s} as a JSON string literal. */
  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }
}
