package io.slipstream.server.auth;

import java.util.List;

/**
 * Which browser origins may open {@code /ws} and {@code /sockjs} (the {@code allowedOrigins}
 * setting): every one when the list is unset, else those matching one of its patterns, ignoring
 * case ({@code https://*.example.com}, {@code http://localhost:8080}, {@code *}).
 *
 * <p>Immutable and thread-safe. A request without an {@code Origin} header is allowed: browsers
 * always send one on WebSocket handshakes and cross-origin requests, so its absence means a client
 * that is not a web page, which an Origin check cannot and need not restrain (it protects users'
 * browsers from pages of other sites, cross-site WebSocket hijacking). {@code Origin: null} (a
 * sandboxed frame, a {@code file:} page) is the literal {@code null}, allowed only when listed.
 */
public final class OriginPolicy {

  /** Every origin is allowed. */
  public static final OriginPolicy ANY = new OriginPolicy(null);

  private final Patterns allowed;

  private OriginPolicy(Patterns allowed) {
    this.allowed = allowed;
  }

  /** The policy of {@code allowedOrigins}: null allows every origin. */
  public static OriginPolicy of(List<String> allowedOrigins) {
    return allowedOrigins == null ? ANY : new OriginPolicy(Patterns.ignoringCase(allowedOrigins));
  }

  /** Whether a request whose {@code Origin} header is {@code origin} (null: none) may connect. */
  public boolean allows(String origin) {
    return allowed == null || origin == null || allowed.matches(origin);
  }
}
