package io.slipstream.server.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Who may connect and with which tokens, beyond {@code jwtSecret} and {@code jwtRequireExp}
 * (docs/protocol.md §3 and §12): the public keys and checked claims of JWTs, the Origin allow-list
 * of {@code /ws} and {@code /sockjs}, and the per-address connection limit. The keys are flat in
 * the file ({@code jwtIssuer}, not {@code access.jwtIssuer}), as contract §10 names them; they are
 * grouped here only so that they are validated together.
 *
 * <p>Immutable and thread-safe. The compact constructor checks each value's form; whether the keys
 * themselves can be read and parsed is {@link JwtKeys#load}'s business, which {@link ConfigLoader}
 * runs at start.
 *
 * @param jwtPublicKey an RS256 or ES256 public key, as PEM text (starting {@code -----BEGIN}) or
 *     the path of a PEM file, or null ({@code jwtPublicKey})
 * @param jwtJwksFile the path of a JWKS file ({@code {"keys":[…]}}), or null ({@code jwtJwksFile})
 * @param jwtIssuer the {@code iss} a JWT must carry, or null for any ({@code jwtIssuer})
 * @param jwtAudience a value the JWT's {@code aud} must be or contain, or null for any ({@code
 *     jwtAudience})
 * @param jwtLeewayMs the clock skew allowed on {@code exp} and {@code nbf}, ms ({@code
 *     jwtLeewayMs})
 * @param allowedOrigins the {@code Origin}s (with {@code *} wildcards) that may open {@code /ws}
 *     and {@code /sockjs}, or null for any ({@code allowedOrigins}, file only)
 * @param maxConnectionsPerAddress most open connections from one remote address ({@code
 *     maxConnectionsPerAddress})
 */
public record AccessConfig(
    String jwtPublicKey,
    String jwtJwksFile,
    String jwtIssuer,
    String jwtAudience,
    long jwtLeewayMs,
    List<String> allowedOrigins,
    int maxConnectionsPerAddress) {

  /** Default {@code jwtLeewayMs}: 1,000 ms of clock skew on {@code exp} and {@code nbf}. */
  public static final long DEFAULT_JWT_LEEWAY_MS = 1_000;

  /** Most {@code jwtLeewayMs}: a day; more would make {@code exp} meaningless. */
  public static final long MAX_JWT_LEEWAY_MS = 86_400_000L;

  /**
   * Default {@code maxConnectionsPerAddress}: 100,000, the default {@code maxConnections}, so that
   * only an operator who chooses a lower one limits an address (load generators and NAT gateways
   * open many connections from one address).
   */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 100_000;

  /** Most {@code allowedOrigins} entries: a list of sites, not a directory. */
  public static final int MAX_ORIGINS = 256;

  /** An origin pattern: scheme, {@code ://}, a host with {@code *} wildcards, an optional port. */
  private static final Pattern ORIGIN =
      Pattern.compile("(\\*|[a-zA-Z][a-zA-Z0-9+.-]*://[A-Za-z0-9.*\\[\\]:-]+|null)");

  /** No token keys besides {@code jwtSecret}, any origin, the default per-address limit. */
  public static final AccessConfig DEFAULTS =
      new AccessConfig(
          null, null, null, null, DEFAULT_JWT_LEEWAY_MS, null, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);

  public AccessConfig {
    requireNotBlank("jwtPublicKey", jwtPublicKey);
    requireNotBlank("jwtJwksFile", jwtJwksFile);
    requireNotBlank("jwtIssuer", jwtIssuer);
    requireNotBlank("jwtAudience", jwtAudience);
    if (jwtLeewayMs < 0 || jwtLeewayMs > MAX_JWT_LEEWAY_MS) {
      throw new IllegalArgumentException(
          "jwtLeewayMs must be 0.." + MAX_JWT_LEEWAY_MS + ", was " + jwtLeewayMs);
    }
    if (allowedOrigins != null) {
      if (allowedOrigins.size() > MAX_ORIGINS) {
        throw new IllegalArgumentException(
            "allowedOrigins must list at most "
                + MAX_ORIGINS
                + " origins, was "
                + allowedOrigins.size());
      }
      for (String o : allowedOrigins) {
        if (o == null || !ORIGIN.matcher(o).matches()) {
          throw new IllegalArgumentException(
              "allowedOrigins entries must be origins such as \"https://app.example.com\","
                  + " \"https://*.example.com\" or \"*\", was "
                  + (o == null ? "null" : '"' + o + '"'));
        }
      }
      allowedOrigins = List.copyOf(allowedOrigins);
    }
    if (maxConnectionsPerAddress < 1) {
      throw new IllegalArgumentException(
          "maxConnectionsPerAddress must be at least 1, was " + maxConnectionsPerAddress);
    }
  }

  private static void requireNotBlank(String key, String value) {
    if (value != null && value.isBlank()) {
      throw new IllegalArgumentException(key + " must not be empty when set, was \"" + value + '"');
    }
  }

  /** This with {@code jwtPublicKey} set to {@code v}. */
  public AccessConfig withJwtPublicKey(String v) {
    return new AccessConfig(
        v,
        jwtJwksFile,
        jwtIssuer,
        jwtAudience,
        jwtLeewayMs,
        allowedOrigins,
        maxConnectionsPerAddress);
  }

  /** This with {@code jwtJwksFile} set to {@code v}. */
  public AccessConfig withJwtJwksFile(String v) {
    return new AccessConfig(
        jwtPublicKey,
        v,
        jwtIssuer,
        jwtAudience,
        jwtLeewayMs,
        allowedOrigins,
        maxConnectionsPerAddress);
  }

  /** This with {@code jwtIssuer} and {@code jwtAudience} set. */
  public AccessConfig withJwtIssuerAndAudience(String issuer, String audience) {
    return new AccessConfig(
        jwtPublicKey,
        jwtJwksFile,
        issuer,
        audience,
        jwtLeewayMs,
        allowedOrigins,
        maxConnectionsPerAddress);
  }

  /** This with {@code jwtLeewayMs} set to {@code v}. */
  public AccessConfig withJwtLeewayMs(long v) {
    return new AccessConfig(
        jwtPublicKey,
        jwtJwksFile,
        jwtIssuer,
        jwtAudience,
        v,
        allowedOrigins,
        maxConnectionsPerAddress);
  }

  /** This with {@code allowedOrigins} set to {@code v} (null: any origin). */
  public AccessConfig withAllowedOrigins(List<String> v) {
    return new AccessConfig(
        jwtPublicKey,
        jwtJwksFile,
        jwtIssuer,
        jwtAudience,
        jwtLeewayMs,
        v,
        maxConnectionsPerAddress);
  }

  /** This with {@code maxConnectionsPerAddress} set to {@code v}. */
  public AccessConfig withMaxConnectionsPerAddress(int v) {
    return new AccessConfig(
        jwtPublicKey, jwtJwksFile, jwtIssuer, jwtAudience, jwtLeewayMs, allowedOrigins, v);
  }
}
