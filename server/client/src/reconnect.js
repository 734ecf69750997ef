// When and how the client (slipstream.js) comes back after a socket closed: which close codes
// are final, the backoff, the 1012 jitter, token retries after 4003, and the `auto` transport's
// fall-back to SockJS and return to WebSocket. Single-threaded like all of the client; pure
// state, no timers: the client schedules what this decides.

/** Close codes after which reconnecting cannot help (docs/protocol.md §9): "fix the client". */
const FATAL_CLOSE_CODES = new Set([1009, 4004]);
/**
 * The server is restarting or leaving: come back soon (elsewhere) and resume, after a random
 * 0 to RESTART_JITTER_MS (contract §6), so that every client of a node does not arrive at once.
 */
const CLOSE_RESTARTING = 1012;
const RESTART_JITTER_MS = 1_000;
/**
 * Unauthorized: final for a fixed token; with a token function, a new token may help, so the
 * client asks for one and tries again, up to AUTH_RETRIES closes in a row without a welcome.
 */
const CLOSE_UNAUTHORIZED = 4003;
const AUTH_RETRIES = 3;
/** Slow consumer and rate limit: the client itself was the problem, so it waits longer. */
export const CLOSE_SLOW_CONSUMER = 4001;
const CLOSE_RATE_LIMITED = 4029;
/** WebSocket attempts in a row that fail to open before `auto` falls back to SockJS. */
const WEBSOCKET_FAILURES = 2;

export class ReconnectPolicy {
  constructor(options, clock) {
    this._options = options;
    this._clock = clock;
    /** Closes since the last stable connection: the backoff's exponent. */
    this._attempts = 0;
    /** 4003 closes since the last welcome. */
    this._authFailures = 0;
    this._wsFailuresBeforeOpen = 0;
    this.useSockJs = options.transport === 'sockjs';
    /** Under `auto`, when WebSocket is tried again after falling back to SockJS. */
    this._websocketRetryAt = 0;
  }

  /** The app called `connect()`: start over. */
  reset() {
    this._attempts = 0;
    this._authFailures = 0;
  }

  /**
   * Before an attempt. Under `auto`, WebSocket again once `websocketRetryMs` has passed since
   * falling back: the failures that made the client fall back may have been a server restart.
   */
  pickTransport() {
    if (this._options.transport !== 'auto' || !this.useSockJs) return;
    if (this._clock.now() >= this._websocketRetryAt) {
      this.useSockJs = false;
      this._wsFailuresBeforeOpen = 0;
    }
  }

  /** A socket closed (or was given up) before it opened. */
  failedToOpen(kind) {
    if (kind === 'websocket') this._wsFailuresBeforeOpen++;
  }

  welcomed() {
    this._authFailures = 0;
    this._wsFailuresBeforeOpen = 0;
  }

  /** The connection lasted `stableAfterMs`: the backoff starts over. */
  stable() {
    this._attempts = 0;
  }

  /**
   * A socket closed with `code` (`opened`: it had opened): the delay before the next attempt in
   * ms, or -1 when retrying cannot help.
   */
  afterClose(code, opened) {
    const o = this._options;
    if (FATAL_CLOSE_CODES.has(code)) return -1;
    if (code === CLOSE_UNAUTHORIZED) {
      this._authFailures++;
      if (typeof o.token !== 'function' || this._authFailures > AUTH_RETRIES) return -1;
    }
    if (
      o.transport === 'auto' && !this.useSockJs && this._wsFailuresBeforeOpen >= WEBSOCKET_FAILURES &&
      typeof (o.SockJS || globalThis.SockJS) === 'function'
    ) {
      // WebSocket never got through (a proxy, most likely): SockJS for a while.
      this.useSockJs = true;
      this._websocketRetryAt = this._clock.now() + o.websocketRetryMs;
      this._attempts = 0;
    }
    if (code === CLOSE_SLOW_CONSUMER || code === CLOSE_RATE_LIMITED) {
      this._attempts = Math.max(this._attempts, 2);
    }
    const delay = code === CLOSE_RESTARTING && opened
      ? Math.floor(this._clock.random() * RESTART_JITTER_MS)
      : backoff(this._attempts, o.backoffBaseMs, o.backoffCapMs, this._clock.random());
    this._attempts++;
    return delay;
  }
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt)]; `random` in [0, 1). */
function backoff(attempt, baseMs, capMs, random) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random * ceiling);
}
