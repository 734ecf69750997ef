// Liveness of the client's socket (slipstream.js): its own pings on a quiet connection, the
// silence that gives a socket up, and the probe `ping` after the page or the network comes back.
// Single-threaded like all of the client; two timers per connection, stopped with it.

/** A socket that answers nothing this long after a probe `ping` is dead. */
export const PROBE_TIMEOUT_MS = 5_000;

export class Liveness {
  constructor(client) {
    this._client = client;
    this.heartbeatMs = 0;
    this._lastHeard = 0;
    this._lastPing = 0;
    /** Whether anything was heard since the last probe `ping`. */
    this._heardSinceProbe = true;
    this._watchdog = 0;
    this._probe = 0;
  }

  /** The connection was welcomed: watch it at a quarter of the heartbeat, at most every second. */
  start(heartbeatMs) {
    const clock = this._client._clock;
    this.heartbeatMs = heartbeatMs;
    this._lastHeard = clock.now();
    this._lastPing = 0;
    const tick = Math.max(100, Math.min(1_000, heartbeatMs / 4));
    this._watchdog = clock.setInterval(() => this._tick(), tick);
  }

  stop() {
    const clock = this._client._clock;
    clock.clearInterval(this._watchdog);
    clock.clearTimeout(this._probe);
    this._watchdog = this._probe = 0;
  }

  /** Something arrived on the socket. */
  heard() {
    this._lastHeard = this._client._clock.now();
    this._heardSinceProbe = true;
  }

  /**
   * Browsers hide WebSocket pings from scripts, so on a quiet topic the client asks with its own
   * `ping`; the socket is dead only when a ping of ours went unanswered and nothing at all was
   * heard for two heartbeats (throttled timers in background tabs then cannot kill a healthy
   * socket: the pong arrives as soon as the ping is sent). Then the subscriptions' timeouts.
   */
  _tick() {
    const c = this._client;
    const now = c._clock.now();
    const silent = now - this._lastHeard;
    const hb = this.heartbeatMs;
    if (this._lastPing > this._lastHeard && silent >= 2 * hb && now - this._lastPing >= hb / 2) {
      c._abandon(c._sock, `nothing heard for ${silent} ms`);
      return;
    }
    if (silent >= hb && now - this._lastPing >= hb) {
      this._lastPing = now;
      c._write({ type: 'ping' });
    }
    c._checkSubscribeTimeouts(now);
  }

  /** Asks an open socket for a `pong` now; if nothing at all comes back soon, replaces it. */
  probe() {
    const c = this._client;
    const sock = c._sock;
    if (sock === null || !c._welcomed) return;
    const clock = c._clock;
    this._lastPing = clock.now();
    this._heardSinceProbe = false;
    c._write({ type: 'ping' });
    clock.clearTimeout(this._probe);
    this._probe = clock.setTimeout(() => {
      if (!this._heardSinceProbe) c._abandon(sock, `no answer to a ping in ${PROBE_TIMEOUT_MS} ms`);
    }, PROBE_TIMEOUT_MS);
  }
}
