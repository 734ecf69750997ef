package io.slipstream.loadtest.wire;

import java.util.Locale;
import java.util.Random;

/**
 * How a client reaches the server (docs/protocol.md §1, Transports) and how messages are framed on
 * that path.
 *
 * <p>Immutable and thread-safe. {@link #WS} and {@link #SOCKJS_RAW} carry one message per text
 * frame; {@link #SOCKJS} is the SockJS websocket transport a browser uses, whose frames are {@code
 * o} (open), {@code h} (heartbeat), {@code a["<json>",...]} (messages) and {@code c[code,"reason"]}
 * (close), and whose client frames are {@code ["<json>"]}.
 */
public enum Transport {
  /** Plain WebSocket at {@code /ws}. */
  WS("ws"),
  /** SockJS websocket transport at {@code /sockjs/<3 digits>/<session>/websocket}. */
  SOCKJS("sockjs"),
  /** SockJS raw websocket transport at {@code /sockjs/websocket}: unframed, like {@link #WS}. */
  SOCKJS_RAW("sockjs-raw");

  private final String optionName;

  Transport(String optionName) {
    this.optionName = optionName;
  }

  /** The value of {@code --transport} that selects this transport. */
  public String optionName() {
    return optionName;
  }

  /** The transport named {@code name} ({@code ws}, {@code sockjs}, {@code sockjs-raw}). */
  public static Transport parse(String name) {
    for (Transport t : values()) {
      if (t.optionName.equals(name.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "--transport must be ws, sockjs or sockjs-raw, was '" + name + "'");
  }

  /**
   * The request path for a new socket.
   *
   * @param wsPath the WebSocket path, e.g. {@code /ws}
   * @param sockJsPath the SockJS prefix, e.g. {@code /sockjs}
   */
  public String path(String wsPath, String sockJsPath, Random random) {
    switch (this) {
      case WS:
        return wsPath;
      case SOCKJS_RAW:
        return sockJsPath + "/websocket";
      default:
        return sockJsPath
            + "/"
            + String.format(Locale.ROOT, "%03d", random.nextInt(1000))
            + "/"
            + Long.toString(random.nextLong() & Long.MAX_VALUE, 36)
            + "/websocket";
    }
  }

  /** The text frame that carries {@code message} (a JSON object) on this transport. */
  public String encode(String message) {
    if (this != SOCKJS) {
      return message;
    }
    StringBuilder sb = new StringBuilder(message.length() + 16).append('[');
    SockJsFrames.quote(sb, message);
    return sb.append(']').toString();
  }
}
