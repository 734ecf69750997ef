package io.slipstream.server.connection;

/**
 * What a connection lets through of what its client sends, before any of it is parsed: the frame
 * size bound ({@code maxFrameBytes}, close 1009) and the inbound rate limit ({@code rateLimit} with
 * {@code rateBurst}; refused messages get {@code rate-limited}, and {@code sustainMs} of refusals is
 * close 4029), docs/protocol.md §9.
 *
 * <p>Confined to its connection's event loop. Times on the monotonic millis it is given.
 */
final class InboundGate {

  /** What to do with one text message. */
  enum Verdict {
    /** Process it. */
    PASS,
    /** Longer than {@code maxFrameBytes} in UTF-8: close 1009. */
    TOO_BIG,
    /** Over the rate: answer {@code rate-limited}, do not process it. */
    RATE_LIMITED,
    /** Over the rate for {@code sustainMs}: close 4029. */
    RATE_LIMITED_TOO_LONG
  }

  private final int maxFrameBytes;
  private final long sustainMs;
  private final RateLimiter rate;

  /** When the client began exceeding the rate; -1 while it does not. */
  private long rateLimitedSince = -1;

  private long lastRefusal;

  InboundGate(int maxFrameBytes, int rateLimit, int rateBurst, long sustainMs, long now) {
    this.maxFrameBytes = maxFrameBytes;
    this.sustainMs = sustainMs;
    this.rate = new RateLimiter(rateLimit, rateBurst, now);
  }

  /** Whether a binary frame of {@code length} bytes is within the frame bound. */
  boolean fits(int length) {
    return length <= maxFrameBytes;
  }

  /**
   * The verdict on {@code text}. The client counts as exceeding the limit from its first refused
   * message until a whole second passes without one.
   */
  Verdict admit(String text, long now) {
    // A UTF-8 character is at most 3 bytes per char: only long texts need counting.
    if (text.length() > maxFrameBytes / 3 && utf8Length(text) > maxFrameBytes) {
      return Verdict.TOO_BIG;
    }
    if (rate.tryAcquire(now)) {
      return Verdict.PASS;
    }
    if (rateLimitedSince < 0 || now - lastRefusal > 1_000) {
      rateLimitedSince = now;
    }
    lastRefusal = now;
    return now - rateLimitedSince >= sustainMs
        ? Verdict.RATE_LIMITED_TOO_LONG
        : Verdict.RATE_LIMITED;
  }

  static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
