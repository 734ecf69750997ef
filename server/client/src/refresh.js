// In-band token refresh for the client (slipstream.js): when `token` is a function, the client
// sends `auth` with a fresh token before the one in force expires (docs/protocol.md §3), so a
// connection outlives its tokens without reconnecting. Single-threaded like all of the client;
// per connection one timer and at most one `auth` in flight, both dropped with the connection.
// Whatever goes wrong here (no `exp` to plan from, a refused token, a token function that throws)
// leaves the old path in place: the server closes 4003 at expiry and the client reconnects with a
// new token (reconnect.js).

/** setTimeout fires at once beyond 2^31 - 1 ms (~24.8 days): a longer wait is cut to this. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** With less than this left before expiry no refresh is tried: the 4003 reconnect is as quick. */
const MIN_LEFT_MS = 1_000;
/** Refused or failed refreshes per connection after which the client waits for the 4003. */
const MAX_FAILURES = 2;

export class TokenRefresh {
  constructor(client) {
    this._client = client;
    this._timer = 0;
    /** The `id` of the `auth` awaiting its answer, or null. */
    this._pending = null;
    /** When the token in force expires on this client's clock (ms), or undefined. */
    this._expiresAt = undefined;
    this._failures = 0;
    this._nextId = 0;
  }

  /** The connection was welcomed after a `hello` with `token`: plan its refresh from its exp. */
  start(token) {
    this.stop();
    this._failures = 0;
    this._plan(jwtExpiry(token), this._client.options.tokenRefreshAt);
  }

  /** The connection is gone: nothing planned or awaited is of any use. */
  stop() {
    this._client._clock.clearTimeout(this._timer);
    this._timer = 0;
    this._pending = null;
    this._expiresAt = undefined;
  }

  /** The server's answer to our `auth`: the new token is in force; plan from its `exp`. */
  onAuthed(m) {
    if (this._pending === null || m.id !== this._pending) return;
    this._pending = null;
    this._failures = 0;
    const exp = typeof m.exp === 'number' ? m.exp : undefined;
    this._client._emit('authed', { exp });
    this._plan(exp === undefined ? undefined : exp * 1000, this._client.options.tokenRefreshAt);
  }

  /** An `error`: if it answers our `auth`, the old token stays in force, so try again later. */
  onError(m) {
    if (this._pending === null || m.id !== this._pending) return;
    this._pending = null;
    this._failed();
  }

  /**
   * Refreshes at `fraction` of the time left before `expiresAt`; nothing to plan for a token
   * without an expiry, a fixed token (no new one to get) or `tokenRefreshAt: 0`.
   */
  _plan(expiresAt, fraction) {
    const c = this._client;
    this._expiresAt = expiresAt;
    if (expiresAt === undefined || typeof c.options.token !== 'function' || !(fraction > 0)) return;
    const left = expiresAt - c._clock.now();
    if (left < MIN_LEFT_MS) return;
    c._clock.clearTimeout(this._timer);
    this._timer = c._clock.setTimeout(() => {
      this._timer = 0;
      this._refresh();
    }, Math.min(MAX_TIMER_MS, Math.floor(left * fraction)));
  }

  async _refresh() {
    const c = this._client;
    const sock = c._sock;
    let token;
    try {
      token = await c.options.token();
    } catch (err) {
      if (c._sock !== sock) return;
      c._emit('error', { code: 'token', message: String((err && err.message) || err) });
      this._failed();
      return;
    }
    // The connection this refresh was for may have ended while the token was fetched.
    if (c._sock !== sock || !c._welcomed) return;
    if (typeof token !== 'string' || token === '') {
      c._emit('error', { code: 'token', message: 'the token function returned no token' });
      this._failed();
      return;
    }
    this._pending = `auth-${++this._nextId}`;
    c._write({ type: 'auth', id: this._pending, token });
  }

  /** A refresh did not take: again halfway to the expiry, MAX_FAILURES times per connection. */
  _failed() {
    this._failures++;
    if (this._failures <= MAX_FAILURES) this._plan(this._expiresAt, 0.5);
  }
}

/** The `exp` of a JWT in ms, or undefined for anything else (an opaque token, no `exp`). */
export function jwtExpiry(token) {
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = parts[1];
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((payload.length + 3) % 4);
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    const exp = JSON.parse(new TextDecoder().decode(bytes)).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch (ignored) {
    return undefined; // not a JWT after all: nothing to plan from
  }
}
