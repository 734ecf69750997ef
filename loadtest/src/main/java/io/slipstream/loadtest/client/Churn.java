package io.slipstream.loadtest.client;

import java.util.Locale;

/**
 * How clients drop their connections while churn is on: about every {@code meanMs} (uniformly 0.5
 * to 1.5 times it), by one of three {@link Kind}s chosen by weight, and whether the client then
 * comes back with its session or as a new client.
 *
 * <p>Immutable.
 *
 * @param meanMs mean time between one client's drops
 * @param clean weight of {@link Kind#CLEAN}
 * @param reset weight of {@link Kind#RESET}
 * @param vanish weight of {@link Kind#VANISH}
 * @param freshShare share of drops after which the client starts fresh: no resume token, no
 *     position, so a new session and a snapshot
 */
public record Churn(long meanMs, int clean, int reset, int vanish, double freshShare) {

  /** How a client leaves its connection. */
  public enum Kind {
    /** A WebSocket close frame (1000) after acking what it applied; the server sees 1000. */
    CLEAN,
    /**
     * The TCP connection is reset (SO_LINGER 0, then close) without a close frame and without a
     * last ack: the server sees the socket die (1006), as after a crash or a killed process.
     */
    RESET,
    /**
     * The client gives the socket up for dead without telling anyone (a network that went away,
     * or a missed heartbeat): it ignores whatever still arrives on it and resumes on a new socket
     * while the server still holds the old one open (docs/protocol.md §7: the server must close
     * the old one with 1000 and the new one owns the session).
     */
    VANISH
  }

  /** Validates the weights and the share. */
  public Churn {
    if (meanMs < 1) {
      throw new IllegalArgumentException("churn meanMs must be at least 1, was " + meanMs);
    }
    if (clean < 0 || reset < 0 || vanish < 0 || clean + reset + vanish == 0) {
      throw new IllegalArgumentException(
          "drop weights must be at least 0 and not all 0, were "
              + clean
              + ":"
              + reset
              + ":"
              + vanish);
    }
    if (!(freshShare >= 0 && freshShare <= 1)) {
      throw new IllegalArgumentException("freshShare must be within [0, 1], was " + freshShare);
    }
  }

  /** Clean closes only, every client resuming: what {@code resume} does. */
  public static Churn cleanOnly(long meanMs) {
    return new Churn(meanMs, 1, 0, 0, 0);
  }

  /**
   * Parses {@code CLEAN:RESET:VANISH} weights, e.g. {@code 2:1:1}.
   *
   * @throws IllegalArgumentException naming the text when it is not three whole numbers
   */
  public static Churn of(long meanMs, String mix, double freshShare) {
    String[] parts = mix.trim().split(":");
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "the drop mix must be CLEAN:RESET:VANISH weights such as 2:1:1, was '" + mix + "'");
    }
    int[] w = new int[3];
    for (int i = 0; i < 3; i++) {
      try {
        w[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "the drop mix must be CLEAN:RESET:VANISH weights such as 2:1:1, was '" + mix + "'");
      }
    }
    return new Churn(meanMs, w[0], w[1], w[2], freshShare);
  }

  /** The kind for a uniform draw {@code u} in [0, 1). */
  public Kind pick(double u) {
    double x = u * (clean + reset + vanish);
    if (x < clean) {
      return Kind.CLEAN;
    }
    return x < clean + reset ? Kind.RESET : Kind.VANISH;
  }

  /** The mix as {@code CLEAN:RESET:VANISH}. */
  public String mix() {
    return String.format(Locale.ROOT, "%d:%d:%d", clean, reset, vanish);
  }
}
