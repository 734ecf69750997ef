package io.slipstream.server.connection;

import io.slipstream.core.time.Clock;
import io.vertx.core.Vertx;

/**
 * Whether a client is alive: it must say hello within {@code helloTimeoutMs}, then is pinged every
 * {@code heartbeatMs} and declared dead after {@code heartbeatTimeoutMs} without a word.
 *
 * <p>Confined to its connection's event loop. At most three timers: the hello timer until hello,
 * then a periodic ping and a silence timer that is re-armed lazily (it fires at {@code lastHeard +
 * heartbeatTimeoutMs} and, if something was heard meanwhile, sets itself for the new deadline), so
 * hearing from the client costs a field write, not a timer reset. Silence is measured on the
 * clock's monotonic {@code millis()}, so a wall-clock step never closes a healthy socket.
 */
final class Liveness {

  private final Vertx vertx;
  private final Clock clock;
  private final long helloTimeoutMs;
  private final long heartbeatMs;
  private final long heartbeatTimeoutMs;
  private final Runnable ping;
  private final Runnable helloMissed;
  private final Runnable silent;

  private long lastHeard;
  private long helloTimer = -1;
  private long pingTimer = -1;
  private long silenceTimer = -1;
  private boolean stopped;

  /**
   * @param ping sends one heartbeat
   * @param helloMissed runs when no hello came in time
   * @param silent runs when nothing was heard for {@code heartbeatTimeoutMs}
   */
  Liveness(
      Vertx vertx,
      Clock clock,
      long helloTimeoutMs,
      long heartbeatMs,
      long heartbeatTimeoutMs,
      Runnable ping,
      Runnable helloMissed,
      Runnable silent) {
    this.vertx = vertx;
    this.clock = clock;
    this.helloTimeoutMs = helloTimeoutMs;
    this.heartbeatMs = heartbeatMs;
    this.heartbeatTimeoutMs = heartbeatTimeoutMs;
    this.ping = ping;
    this.helloMissed = helloMissed;
    this.silent = silent;
    this.lastHeard = clock.millis();
  }

  /** Starts the hello timer. */
  void awaitHello() {
    helloTimer =
        vertx.setTimer(
            helloTimeoutMs,
            t -> {
              helloTimer = -1;
              if (!stopped) {
                helloMissed.run();
              }
            });
  }

  /** Hello arrived: from now on, heartbeats. */
  void helloReceived() {
    cancel(helloTimer);
    helloTimer = -1;
    pingTimer = vertx.setPeriodic(heartbeatMs, t -> ping.run());
    armSilenceTimer();
  }

  /** Anything from the client proves it alive. */
  void heard() {
    lastHeard = clock.millis();
  }

  /** Cancels every timer; idempotent. */
  void stop() {
    stopped = true;
    cancel(helloTimer);
    cancel(pingTimer);
    cancel(silenceTimer);
  }

  private void armSilenceTimer() {
    long due = lastHeard + heartbeatTimeoutMs - clock.millis();
    silenceTimer =
        vertx.setTimer(
            Math.max(1, due),
            t -> {
              silenceTimer = -1;
              if (stopped) {
                return;
              }
              if (clock.millis() - lastHeard >= heartbeatTimeoutMs) {
                silent.run();
              } else {
                armSilenceTimer();
              }
            });
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
