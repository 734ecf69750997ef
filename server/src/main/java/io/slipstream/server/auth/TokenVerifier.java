package io.slipstream.server.auth;

import io.slipstream.core.time.Clock;
import io.slipstream.server.config.JwtKeys;
import io.slipstream.server.protocol.Inbound;
import io.slipstream.server.protocol.JwtJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Verifies the JWTs of {@code hello.token} and {@code auth.token} (docs/protocol.md §3) with
 * vertx-auth-jwt, and turns a valid one into its {@link Claims}.
 *
 * <p>Thread-safe: one per node, shared by every event loop (vertx-auth-jwt's provider keeps no
 * per-call state). {@link #verify} does not block: vertx-auth-jwt checks the signature on the
 * calling thread (tens of microseconds for RS256 and ES256, less for HMAC) and answers with a
 * completed future, and nothing here does I/O; the keys were read at start ({@link JwtKeys}).
 *
 * <p>Before vertx-auth-jwt sees a token, it must have three parts and name in its header an {@code
 * alg} the server has a key for: {@code none} never qualifies, nor does an algorithm of another
 * family than the key's (an RS256 key is never used as an HMAC secret). vertx-auth-jwt then checks
 * the signature (with the key the header's {@code kid} names, when it names one), {@code iss} and
 * {@code aud}; this class checks {@code exp} and {@code nbf} against the injected clock with {@code
 * jwtLeewayMs} of skew, and the shape of the claims it reads ({@link JwtJson}).
 */
public final class TokenVerifier {

  /** Longest token read; a longer one is refused unparsed (the parser refuses it first). */
  public static final int MAX_TOKEN_CHARS = Inbound.MAX_TOKEN_CHARS;

  private final JWTAuth jwt;
  private final Set<String> algorithms;
  private final long leewayMs;
  private final boolean requireExp;
  private final Clock clock;

  private TokenVerifier(JWTAuth jwt, JwtKeys keys, Clock clock) {
    this.jwt = jwt;
    this.algorithms = keys.algorithms();
    this.leewayMs = keys.leewayMs();
    this.requireExp = keys.requireExp();
    this.clock = clock;
  }

  /** A verifier for {@code keys}, or null when they name no key (the server checks no tokens). */
  public static TokenVerifier create(Vertx vertx, JwtKeys keys, Clock clock) {
    if (!keys.enabled()) {
      return null;
    }
    JWTOptions checks = new JWTOptions().setIgnoreExpiration(true).setLeeway(0);
    if (keys.issuer() != null) {
      checks.setIssuer(keys.issuer());
    }
    if (keys.audience() != null) {
      checks.setAudience(List.of(keys.audience()));
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
    if (keys.secret() != null) {
      for (String alg : new String[] {"HS256", "HS384", "HS512"}) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(keys.secret()));
      }
    }
    for (JwtKeys.Pem pem : keys.pems()) {
      options.addPubSecKey(
          new PubSecKeyOptions().setAlgorithm(pem.algorithm()).setBuffer(pem.text()));
    }
    keys.jwks().forEach(options::addJwk);
    return new TokenVerifier(JWTAuth.create(vertx, options), keys, clock);
  }

  /**
   * The claims of {@code token}, or a failed future whose message says, for the client, why the
   * token is refused.
   */
  public Future<Claims> verify(String token) {
    String refused = precheck(token);
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    Future<User> user;
    try {
      user = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // vertx-auth-jwt 5.0.7 throws, rather than fails, on some claims of the wrong type (an exp
      // that is a string reaches a getLong): still a refusal, never an escaped exception.
      return Future.failedFuture(
          "the token's claims are malformed: exp, nbf and iat must be numbers");
    }
    return user.transform(
        ar ->
            ar.succeeded()
                ? claims(ar.result())
                : Future.failedFuture("the token is not valid: " + ar.cause().getMessage()));
  }

  private String precheck(String token) {
    if (token == null) {
      return "a token is required: the server checks JWTs";
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      return "the token is longer than " + MAX_TOKEN_CHARS + " characters";
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0
        || second < 0
        || token.indexOf('.', second + 1) >= 0
        || second == token.length() - 1) {
      return "the token must be a signed JWT: header.claims.signature";
    }
    Object alg;
    try {
      alg =
          JwtJson.alg(
              new String(
                  Base64.getUrlDecoder().decode(token.substring(0, first)),
                  StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return "the token's header is not base64url JSON";
    }
    if (!(alg instanceof String) || !algorithms.contains(alg)) {
      return "the token's alg must be one the server has a key for: "
          + String.join(", ", algorithms);
    }
    return null;
  }

  private Future<Claims> claims(User user) {
    JwtJson.Claims c = JwtJson.claims(user.attributes());
    if (c.problem() != null) {
      return Future.failedFuture("the token's claims are malformed: " + c.problem());
    }
    long now = clock.wallMillis();
    if (c.exp() == null) {
      if (requireExp) {
        return Future.failedFuture("the token has no exp; the server requires one");
      }
    } else if (now >= expiresAtMs(c.exp())) {
      return Future.failedFuture("the token has expired (exp " + c.exp() + ")");
    }
    if (c.nbf() != null && now < notBeforeMs(c.nbf())) {
      return Future.failedFuture("the token is not valid yet (nbf " + c.nbf() + ")");
    }
    return Future.succeededFuture(
        new Claims(
            c.subject(),
            c.topics() == null ? Patterns.ANY : Patterns.of(c.topics()),
            c.qos(),
            c.exp() == null ? Claims.NO_EXPIRY : c.exp()));
  }

  /** The wall-clock instant, ms, before which a token with {@code nbf} is refused: with leeway. */
  private long notBeforeMs(long nbfSeconds) {
    if (nbfSeconds > Long.MAX_VALUE / 1000) {
      return Long.MAX_VALUE;
    }
    return nbfSeconds < 0 ? 0 : nbfSeconds * 1000 - leewayMs;
  }

  /** The wall-clock instant, ms, from which a token with {@code exp} is refused: with leeway. */
  public long expiresAtMs(long expSeconds) {
    if (expSeconds > (Long.MAX_VALUE - leewayMs) / 1000) {
      return Long.MAX_VALUE;
    }
    return expSeconds < 0 ? leewayMs : expSeconds * 1000 + leewayMs;
  }
}
