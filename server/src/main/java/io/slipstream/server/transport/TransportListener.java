package io.slipstream.server.transport;

/**
 * What a transport reports about its socket.
 *
 * <p>Called on the socket's event loop.
 */
public interface TransportListener {

  /** A complete text message. */
  void onText(String text);

  /** A complete binary message (not part of the protocol). */
  void onBinary(int length);

  /** Proof of life without a message: a pong frame or a transport heartbeat. */
  void onHeard();

  /** The socket closed, for any reason; called once. */
  void onClosed(int code, String reason);
}
