package io.slipstream.core.message;

/**
 * WebSocket close codes of the protocol (docs/protocol.md §9), each with what a client should do.
 *
 * <p>Immutable.
 */
public enum CloseCode {
  /** Normal closure. */
  NORMAL(1000, "normal", Reconnect.NO),
  /** A frame larger than {@code maxFrameBytes}. The client must fix itself. */
  /**
   * Policy violation (RFC 6455): over SockJS, the remote address already holds {@code
   * maxConnectionsPerAddress} connections (a {@code /ws} handshake gets HTTP 429 instead).
   */
  TOO_MANY_CONNECTIONS(1008, "too many connections from this address", Reconnect.WITH_BACKOFF),
  MESSAGE_TOO_BIG(1009, "frame too large", Reconnect.NO),
  /** The server is restarting or leaving the cluster: reconnect (elsewhere) at once and resume. */
  RESTARTING(1012, "server restarting", Reconnect.IMMEDIATELY),
  /** Slow consumer: the buffer stayed at or above {@code buffer.disconnect} for sustainMs. */
  SLOW_CONSUMER(4001, "slow consumer", Reconnect.WITH_BACKOFF),
  /** Missing or invalid JWT. */
  UNAUTHORIZED(4003, "unauthorized", Reconnect.NO),
  /** No {@code hello} in time, or more than 20 errors in 10 s. */
  PROTOCOL_VIOLATION(4004, "protocol violation", Reconnect.NO),
  /** Nothing heard from the client for {@code heartbeatTimeoutMs}. */
  HEARTBEAT_TIMEOUT(4008, "heartbeat timeout", Reconnect.WITH_BACKOFF),
  /** Inbound rate limit exceeded for sustainMs. */
  RATE_LIMITED(4029, "rate limit exceeded", Reconnect.WITH_BACKOFF);

  /** How a client should react to a close. */
  public enum Reconnect {
    /** Do not reconnect automatically. */
    NO,
    /** Reconnect and resume at once. */
    IMMEDIATELY,
    /** Reconnect with exponential backoff, then resume. */
    WITH_BACKOFF
  }

  private final int code;
  private final String reason;
  private final Reconnect reconnect;

  CloseCode(int code, String reason, Reconnect reconnect) {
    this.code = code;
    this.reason = reason;
    this.reconnect = reconnect;
  }

  /** The numeric WebSocket close code. */
  /** The close code numbered {@code code}, or null when there is none. */
  public static CloseCode byCode(int code) {
    for (CloseCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return null;
  }

  public int code() {
    return code;
  }

  /** The short reason sent in the close frame. */
  public String reason() {
    return reason;
  }

  /** What a well-behaved client does after this close. */
  public Reconnect reconnect() {
    return reconnect;
  }
}
