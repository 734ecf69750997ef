package io.slipstream.core.qos;

import io.slipstream.core.buffer.BufferLimits;
import java.util.regex.Pattern;

/**
 * One QoS class (docs/protocol.md §5): what a connection of the class gets.
 *
 * <p>Immutable.
 *
 * @param name the class's name, as {@code welcome.qos} and the {@code qos} claim spell it:
 *     lower-case letters, digits and {@code -}, 1 to 32 characters
 * @param buffer the connection buffer's bounds, thresholds and drop policy
 * @param sustainMs how long the fill must stay at or above {@code disconnect} before 4001, ms
 * @param rate the most live events, snapshot rows and replayed changes written to the client per
 *     second, 0 for no limit ({@link #UNLIMITED}); what exceeds it waits in the buffer and meets
 *     the policy
 * @param askable whether a client may ask for the class with {@code hello.qos}; a class a client
 *     may not ask for is reached only through its token's claim or an operator
 * @param compression whether the class's connections get permessage-deflate frames, when their
 *     client negotiated the extension; off, every frame goes plain (RFC 7692 lets a sender leave
 *     any message uncompressed), so a class can be moved on or off without a new handshake
 * @param adaptive how a connection's effective bound follows its drain rate, between {@code
 *     adaptive.minEvents} and {@code buffer.maxEvents}; null for a fixed bound ({@code
 *     buffer.maxEvents})
 */
public record QosClass(
    String name,
    BufferLimits buffer,
    long sustainMs,
    double rate,
    boolean askable,
    boolean compression,
    AdaptiveBuffer adaptive) {

  /** The class of every connection nothing else names: the node's own buffer settings. */
  public static final String STANDARD = "standard";

  /** {@link #rate} of a class without outbound throttling. */
  public static final double UNLIMITED = 0;

  /** The most events per second a class may name, so a token bucket's arithmetic stays exact. */
  public static final double MAX_RATE = 1_000_000;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  public QosClass {
    if (name == null || !isValidName(name)) {
      throw new IllegalArgumentException(
          "a QoS class name is 1 to 32 of a-z, 0-9 and -, starting with a letter or digit, was "
              + (name == null ? "null" : "\"" + name + "\""));
    }
    if (buffer == null) {
      throw new IllegalArgumentException("a QoS class needs buffer limits");
    }
    if (sustainMs < 0) {
      throw new IllegalArgumentException("sustainMs must not be negative, was " + sustainMs);
    }
    if (!(rate >= 0 && rate <= MAX_RATE)) {
      throw new IllegalArgumentException("rate must be 0 to " + (long) MAX_RATE + ", was " + rate);
    }
    if (adaptive != null && adaptive.minEvents() > buffer.maxEvents()) {
      throw new IllegalArgumentException(
          "adaptive.min must be at most max ("
              + buffer.maxEvents()
              + "), was "
              + adaptive.minEvents());
    }
  }

  /**
   * A class with a fixed bound and without compression (what a node without {@code
   * compression.enabled} gives).
   */
  public QosClass(String name, BufferLimits buffer, long sustainMs, double rate, boolean askable) {
    this(name, buffer, sustainMs, rate, askable, false, null);
  }

  /** Whether {@code name} is a well-formed class name. */
  public static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  /** Whether the class throttles what it sends. */
  public boolean throttled() {
    return rate > 0;
  }

  /** Whether a connection's effective bound follows its drain rate ({@link #adaptive}). */
  public boolean isAdaptive() {
    return adaptive != null;
  }

  /** This class with other buffer limits. */
  public QosClass withBuffer(BufferLimits limits) {
    return new QosClass(name, limits, sustainMs, rate, askable, compression, adaptive);
  }
}
