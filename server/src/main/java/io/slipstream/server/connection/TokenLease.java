package io.slipstream.server.connection;

import io.slipstream.core.message.ErrorCode;
import io.slipstream.core.time.Clock;
import io.slipstream.server.auth.Claims;
import io.slipstream.server.auth.TokenVerifier;
import io.slipstream.server.protocol.ClientMessage;
import io.slipstream.server.protocol.Outbound;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The token a connection holds (docs/protocol.md §3): the claims of the {@code hello} token, then
 * of each {@code auth} that replaced it (answered {@code authed}, or {@code unauthorized} with the
 * old token left in force), and the one timer that closes the connection with 4003, after an {@code
 * unauthorized} error saying why, when the token in force expires ({@code exp} + {@code
 * jwtLeewayMs}) without being replaced.
 *
 * <p>Confined to its connection's event loop. {@link TokenVerifier#verify} completes on the calling
 * thread, so every callback here runs on that loop too. Bounded: at most one timer, which a refresh
 * replaces and {@link #stop} cancels.
 */
final class TokenLease {

  private final Vertx vertx;
  private final TokenVerifier verifier;
  private final Clock clock;
  private final Consumer<byte[]> reply;
  private final Runnable expired;
  private Claims claims = Claims.UNCHECKED;
  private long timer = -1;
  private boolean stopped;

  /**
   * @param verifier null when the server checks no tokens: every hello is admitted, unrestricted
   * @param reply sends a control message to the client
   * @param expired closes the connection with 4003
   */
  TokenLease(
      Vertx vertx, TokenVerifier verifier, Clock clock, Consumer<byte[]> reply, Runnable expired) {
    this.vertx = vertx;
    this.verifier = verifier;
    this.clock = clock;
    this.reply = reply;
    this.expired = expired;
  }

  /** The claims in force: {@link Claims#UNCHECKED} when the server checks no tokens. */
  Claims claims() {
    return claims;
  }

  /**
   * Checks the {@code hello} token; on success its claims are in force and its expiry is timed.
   * Fails with the reason, for an {@code unauthorized} error, when the token is refused.
   */
  Future<Claims> admit(String token) {
    if (verifier == null) {
      return Future.succeededFuture(claims);
    }
    return verifier.verify(token).onSuccess(this::hold);
  }

  /**
   * Answers {@code auth}: a valid token for the same {@code sub} takes over, with its topics, QoS
   * and expiry ({@code authed}); else {@code unauthorized}, and the old token stays in force.
   */
  void refresh(ClientMessage.Auth auth) {
    replace(auth.token())
        .onComplete(
            ar -> {
              if (stopped) {
                return;
              }
              if (ar.succeeded()) {
                Claims c = ar.result();
                reply.accept(Outbound.authed(auth.id(), c.expires() ? c.expiresAtSeconds() : null));
              } else {
                reply.accept(
                    Outbound.error(
                        ErrorCode.UNAUTHORIZED,
                        "auth.token: "
                            + ar.cause().getMessage()
                            + "; the token in force stays until it expires",
                        auth.id()));
              }
            });
  }

  private Future<Claims> replace(String token) {
    if (verifier == null) {
      return Future.failedFuture(
          "the server checks no tokens (no jwtSecret, jwtPublicKey or jwtJwksFile set)");
    }
    return verifier
        .verify(token)
        .compose(
            c -> {
              if (!Objects.equals(c.subject(), claims.subject())) {
                // A connection is one client: another sub would take over its session.
                return Future.failedFuture(
                    "the new token's sub must be the connection's, "
                        + (claims.subject() == null ? "none" : '"' + claims.subject() + '"'));
              }
              hold(c);
              return Future.succeededFuture(c);
            });
  }

  private void hold(Claims c) {
    if (stopped) {
      return;
    }
    claims = c;
    cancel();
    if (c.expires()) {
      // On Vert.x's monotonic timer: a step of the wall clock after this does not move it.
      long delay = Math.max(1, verifier.expiresAtMs(c.expiresAtSeconds()) - clock.wallMillis());
      timer =
          vertx.setTimer(
              delay,
              t -> {
                timer = -1;
                if (!stopped) {
                  reply.accept(
                      Outbound.error(
                          ErrorCode.UNAUTHORIZED,
                          "the token expired; send auth with a new token before its exp",
                          null));
                  expired.run();
                }
              });
    }
  }

  /** The connection ended: the timer goes. */
  void stop() {
    stopped = true;
    cancel();
  }

  private void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
