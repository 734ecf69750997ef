package io.slipstream.server.fuzz;

/**
 * One generated client frame: a text message (sent whole, or in {@code fragments} WebSocket
 * frames), or a binary message; {@code kind} names the generator rule that made it, for the
 * report; {@code bytes} is the message's size, as the server measures it against {@code
 * maxFrameBytes} (UTF-8 bytes of the text).
 *
 * <p>Immutable.
 */
record Frame(String kind, String text, byte[] binary, int fragments, int bytes) {

  static Frame text(String kind, String text) {
    return new Frame(kind, text, null, 1, utf8Length(text));
  }

  static Frame binary(String kind, byte[] payload) {
    return new Frame(kind, null, payload, 1, payload.length);
  }

  /** The same message, sent in {@code pieces} WebSocket frames. */
  Frame fragmented(int pieces) {
    return new Frame(kind + "+fragmented", text, binary, pieces, bytes);
  }

  boolean isBinary() {
    return binary != null;
  }

  /** UTF-8 length without encoding (the generator never makes lone surrogates). */
  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** The frame for a report: its kind and its text (Java-escaped, cut at 300 characters). */
  String describe() {
    if (binary != null) {
      return kind + " <binary " + binary.length + " bytes>";
    }
    StringBuilder sb = new StringBuilder(kind).append(' ');
    if (fragments > 1) {
      sb.append('<').append(fragments).append(" fragments> ");
    }
    sb.append('"');
    int shown = Math.min(text.length(), 300);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7F) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
    if (text.length() > shown) {
      sb.append("… (").append(bytes).append(" bytes)");
    }
    return sb.toString();
  }
}
