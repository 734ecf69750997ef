package io.slipstream.server.fuzz;

import java.nio.charset.StandardCharsets;

/**
 * One generated client frame: a text message (sent whole, or in {@code fragments} WebSocket
 * frames), or a binary message; {@code kind} names the generator rule that made it, for the
 * report.
 *
 * <p>Immutable.
 */
record Frame(String kind, String text, byte[] binary, int fragments) {

  static Frame text(String kind, String text) {
    return new Frame(kind, text, null, 1);
  }

  static Frame binary(String kind, byte[] payload) {
    return new Frame(kind, null, payload, 1);
  }

  /** The same message, sent in {@code pieces} WebSocket frames. */
  Frame fragmented(int pieces) {
    return new Frame(kind + "+fragmented", text, binary, pieces);
  }

  boolean isBinary() {
    return binary != null;
  }

  /** The message's size in bytes, as the server measures it against {@code maxFrameBytes}. */
  int bytes() {
    return binary != null ? binary.length : text.getBytes(StandardCharsets.UTF_8).length;
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
      sb.append("… (").append(bytes()).append(" bytes)");
    }
    return sb.toString();
  }
}
