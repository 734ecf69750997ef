/**
 * Slipstream client: live keyed tables over WebSocket or SockJS, in browsers and in Node.
 *
 * Plain ES modules with no dependencies and no build step: this one (the connection state machine
 * and the public API) imports the others in this directory, one concept each (topic, requests,
 * liveness, reconnect, refresh, environment, transport, dispatch, emitter). They are the npm package
 * `slipstream-client` (server/client; CommonJS copies are generated at pack time) and the files
 * the server serves at `/slipstream/<version>/` (`/slipstream.js` redirects there), with the
 * typings beside them. It speaks the wire protocol of docs/protocol.md and keeps, per subscribed
 * topic, the table's rows in a `Map` by key together with the position `{epoch, seq}` of the
 * last change applied to them.
 *
 *   import { Slipstream } from '/slipstream.js';
 *   const client = new Slipstream({ url: location.origin });
 *   const orders = client.subscribe('orders');
 *   orders.on('update', () => render(orders.rows));
 *   client.on('state', (s) => (status.textContent = s));
 *
 * Invariant that everything below protects: a topic's `rows` are always exactly the topic's
 * state at `position`. Changes are applied strictly in seq order; a duplicate (seq at or below
 * the position, same epoch) is dropped; a gap, announced (`dropped`) or not, is healed by
 * subscribing again from the position; a discontinuity (`reset`, another epoch) is healed by a
 * snapshot that replaces the rows only once it is complete, so a connection lost halfway leaves
 * the previous consistent state in place.
 *
 * Nothing the client wants to send while it is disconnected is queued: subscriptions,
 * positions and acks are state, and are re-derived from it on every new connection (`hello`
 * with the resume token and every topic's position, then whatever the server did not restore).
 * So memory does not grow while offline, whatever the outage.
 *
 * The module defines no globals; it reads `WebSocket`, `SockJS`, `location`, `document` and
 * `navigator` from `globalThis` only when it needs them, and imports `ws` in Node only when
 * there is no global WebSocket. Time comes from `options.clock`, the seam the tests use.
 */

import { Emitter } from './emitter.js';
import { dispatch } from './dispatch.js';
import { Environment } from './environment.js';
import { Liveness } from './liveness.js';
import { Requests } from './requests.js';
import { CLOSE_SLOW_CONSUMER, ReconnectPolicy } from './reconnect.js';
import { TokenRefresh } from './refresh.js';
import { QUEUED, RESTORE, Topic } from './topic.js';
import { openSockJs, openWebSocket } from './transport.js';

export { Topic };

/** Names the server accepts (docs/protocol.md §1). */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** Vert.x's SockJS close code; without a `close` message before it, it means 4001 (§2). */
const SOCKJS_GO_AWAY = 3000;
/** Used by this client when it gives up on a socket itself (silence, no welcome in time). */
const CLOSE_CLIENT_TIMEOUT = 4000;
/**
 * Largest `hello.positions` the client sends, in characters of JSON: the frame must stay under
 * the server's `maxFrameBytes` (64 KiB by default). Topics beyond it are subscribed one by one.
 */
const HELLO_POSITIONS_MAX_CHARS = 48 * 1024;
/** Most topics `hello.positions` may name (the server refuses more: Inbound.MAX_POSITIONS). */
const HELLO_POSITIONS_MAX = 1_024;
/** Named in `hello.positions` for a topic with no rows yet: no epoch matches it, so a snapshot. */
const NO_POSITION = Object.freeze({ epoch: '', seq: 0 });

const DEFAULTS = Object.freeze({
  transport: 'websocket',
  clientId: undefined,
  token: undefined,
  tokenRefreshAt: 0.8,
  backoffBaseMs: 250,
  backoffCapMs: 10_000,
  stableAfterMs: 30_000,
  websocketRetryMs: 60_000,
  connectTimeoutMs: 10_000,
  subscribeTimeoutMs: 10_000,
  batch: true,
  heartbeatMs: undefined,
  ackEvery: 100,
  ackIntervalMs: 1_000,
  // Below the server's default inbound limit (50/s, burst 100), leaving room for pings/pongs.
  sendRate: 20,
  sendBurst: 40,
  maxTopics: 256,
  traceSize: 0,
  autoConnect: true,
  sockjsOptions: undefined,
  WebSocket: undefined,
  SockJS: undefined,
  clock: undefined,
  window: undefined,
  document: undefined,
});

/**
 * Time and randomness, the one seam tests replace (`options.clock`): every timer, every reading
 * of the time and every jitter of the client goes through it.
 */
const SYSTEM_CLOCK = Object.freeze({
  now: () => Date.now(),
  random: () => Math.random(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id),
});

/**
 * A connection to a Slipstream server that survives network failures: it reconnects with
 * exponential backoff and full jitter, resumes its session, and keeps every subscribed topic's
 * rows exact across the outage. With a `token` function it sends `auth` with a new token before
 * the one in force expires (refresh.js), so the connection outlives its tokens.
 *
 * Single-threaded like everything in JavaScript: every method and every callback runs on the
 * page's (or Node's) event loop; time and timers come from `options.clock`.
 */
export class Slipstream extends Emitter {
  /**
   * @param {object} [options] see slipstream.d.ts (`SlipstreamOptions`) for every field
   */
  constructor(options = {}) {
    super();
    const o = { ...DEFAULTS, ...options };
    if (!['websocket', 'sockjs', 'auto'].includes(o.transport)) {
      throw new TypeError(`transport must be 'websocket', 'sockjs' or 'auto', not ${o.transport}`);
    }
    if (typeof o.tokenRefreshAt !== 'number' || !(o.tokenRefreshAt >= 0 && o.tokenRefreshAt < 1)) {
      throw new TypeError(`tokenRefreshAt must be a number in [0, 1), not ${o.tokenRefreshAt}`);
    }
    if (o.url === undefined) {
      if (globalThis.location === undefined) throw new TypeError('url is required here');
      o.url = globalThis.location.origin;
    }
    if (o.clientId === undefined) o.clientId = randomId();
    o.clock = Object.freeze({ ...SYSTEM_CLOCK, ...o.clock });
    if (o.window === undefined && typeof globalThis.addEventListener === 'function') {
      o.window = globalThis;
    }
    if (o.document === undefined) o.document = globalThis.document;
    this.options = Object.freeze(o);
    this._clock = o.clock;
    /** 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed' */
    this.state = 'idle';
    /** The server's session id, once welcomed. */
    this.session = null;
    /** Debugging counters; never reset. */
    this.stats = {
      connects: 0, reconnects: 0, resumes: 0, duplicatesDropped: 0, gapsHealed: 0, resets: 0,
      unannouncedGaps: 0, violations: 0, changesApplied: 0, messagesIn: 0, messagesOut: 0,
    };
    this._topics = new Map();
    this._resumeToken = null;
    this._sock = null;
    this._welcomed = false;
    this._everWelcomed = false;
    this._reconnect = new ReconnectPolicy(o, this._clock);
    this._conflating = false;
    this._liveness = new Liveness(this);
    this._helloPositions = new Set();
    this._requests = new Requests(this);
    this._refresh = new TokenRefresh(this);
    /** The token sent in the last `hello`: its `exp` plans the in-band refresh. */
    this._helloToken = undefined;
    this._timers = { retry: 0, connect: 0, ack: 0, stable: 0 };
    this._trace = [];
    this._environment = new Environment(this);
    /** An `_open` is under way (awaiting the token or the `ws` module). */
    this._opening = false;
    // A microtask later, so that listeners added right after construction see 'connecting'.
    if (o.autoConnect) queueMicrotask(() => this.connect());
  }

  /** The transport in use or about to be used: 'websocket' or 'sockjs'. */
  get transport() {
    return this._reconnect.useSockJs ? 'sockjs' : 'websocket';
  }

  /** The last `traceSize` frames and socket events, oldest first (empty unless enabled). */
  get trace() {
    return this._trace.slice();
  }

  /** The topics subscribed, by name. */
  get topics() {
    return new Map(this._topics);
  }

  /**
   * Subscribes to a topic, or returns the existing subscription of that name. The rows arrive
   * as a snapshot, then live; `topic.ready` resolves once the first snapshot is applied. Allowed
   * in every state: a topic of a client that is not connected waits, `offline`, for `connect()`.
   */
  subscribe(name) {
    if (typeof name !== 'string' || !TOPIC_NAME.test(name)) {
      throw new TypeError(`topic name must match ${TOPIC_NAME}, not ${JSON.stringify(name)}`);
    }
    const existing = this._topics.get(name);
    if (existing) return existing;
    if (this._topics.size >= this.options.maxTopics) {
      throw new Error(`at most ${this.options.maxTopics} topics per client (maxTopics)`);
    }
    const topic = new Topic(this, name);
    this._topics.set(name, topic);
    if (this._welcomed) {
      topic._resubscribe(true);
    } else if (this.state !== 'idle') {
      topic._setState('offline');
    }
    return topic;
  }

  /**
   * Opens the connection (done by the constructor unless `autoConnect: false`). After a final
   * close (`failed`, or `close()`), opens it again: the topics a failure kept come back where
   * they were. Does nothing while connecting or connected.
   */
  connect() {
    if (this.state !== 'idle' && this.state !== 'failed' && this.state !== 'closed') return;
    this._reconnect.reset();
    this._environment.listen(true);
    this._setState('connecting');
    this._open();
  }

  /** Closes the connection: no reconnect until `connect()`; every topic ends. Idempotent. */
  close() {
    if (this.state === 'closed') return;
    const sock = this._sock;
    this._teardown();
    this._environment.listen(false);
    if (sock) {
      try {
        sock.close(1000, 'client closed');
      } catch (ignored) {
        // Closing a socket that never opened may throw; it is gone either way.
      }
    }
    for (const topic of this._topics.values()) topic._close('client closed');
    this._topics.clear();
    this._setState('closed');
  }

  // ------------------------------------------------------------------------- connecting

  async _open() {
    if (this._opening) return; // one attempt at a time (a wake-up may race a retry)
    this._opening = true;
    const o = this.options;
    this._reconnect.pickTransport();
    let token;
    let sock;
    try {
      token = typeof o.token === 'function' ? await o.token() : o.token;
    } catch (err) {
      this._opening = false;
      this._emit('error', { code: 'token', message: String((err && err.message) || err) });
      this._lost(CLOSE_CLIENT_TIMEOUT, 'token provider failed', false);
      return;
    }
    try {
      if (this._attempting()) sock = this._reconnect.useSockJs ? openSockJs(this.options) : await openWebSocket(this.options);
    } catch (err) {
      this._opening = false;
      this._fail('transport', String((err && err.message) || err));
      return;
    }
    this._opening = false;
    if (sock === undefined) return;
    if (!this._attempting()) {
      try {
        sock.close(1000, 'client closed');
      } catch (ignored) {
        // Never opened: nothing to close.
      }
      return;
    }
    this._sock = sock;
    this._record('event', `connecting ${sock.kind} ${sock.url}`);
    this._timers.connect = this._clock.setTimeout(() => {
      if (this._sock === sock && !this._welcomed) this._abandon(sock, 'no welcome in time');
    }, o.connectTimeoutMs);
    sock.onopen = () => {
      if (this._sock !== sock) return;
      sock.opened = true;
      this._record('event', 'open');
      this._hello(token);
    };
    sock.onmessage = (data) => {
      if (this._sock === sock) this._onFrame(data);
    };
    sock.onclose = (code, reason) => {
      if (this._sock !== sock) return;
      if (!sock.opened) this._reconnect.failedToOpen(sock.kind);
      // Vert.x's SockJS always closes with 3000; the real code came in a `close` message, and
      // a 3000 without one is a socket too stuck for the message to get through (§2).
      const said = sock.closeMessage;
      if (said) {
        this._lost(said.code, said.reason, sock.opened);
      } else if (sock.kind === 'sockjs' && code === SOCKJS_GO_AWAY) {
        this._lost(CLOSE_SLOW_CONSUMER, reason || 'sockjs closed without a close message', sock.opened);
      } else {
        this._lost(code, reason, sock.opened);
      }
    };
  }

  /** Whether an attempt started by `_open` should still go on. */
  _attempting() {
    return this._sock === null && (this.state === 'connecting' || this.state === 'reconnecting');
  }

  /**
   * Says hello with every topic in `positions` (contract 1.1 subscribes them on a fresh session
   * too): one message re-subscribes them all, where one `subscribe` each would take seconds
   * under the server's inbound rate limit. Topics without rows yet are named at NO_POSITION,
   * which gets them a snapshot; those beyond HELLO_POSITIONS_MAX_CHARS or HELLO_POSITIONS_MAX
   * are subscribed after the welcome.
   */
  _hello(token) {
    const hello = { type: 'hello', clientId: this.options.clientId };
    if (token) hello.token = token;
    this._helloToken = token;
    if (this.options.batch) hello.batch = true;
    if (this._resumeToken !== null) hello.resume = this._resumeToken;
    this._helloPositions = new Set();
    const positions = {};
    let chars = 0;
    for (const topic of this._topics.values()) {
      const p = topic._position === null ? NO_POSITION : topic._position;
      chars += topic.name.length + p.epoch.length + 40;
      if (chars > HELLO_POSITIONS_MAX_CHARS || this._helloPositions.size >= HELLO_POSITIONS_MAX) break;
      positions[topic.name] = { epoch: p.epoch, seq: p.seq };
      this._helloPositions.add(topic.name);
    }
    if (this._helloPositions.size > 0) hello.positions = positions;
    this._write(hello);
  }

  _onWelcome(m) {
    const clock = this._clock;
    clock.clearTimeout(this._timers.connect);
    this._welcomed = true;
    this._reconnect.welcomed();
    this.session = m.session;
    this._resumeToken = m.resume;
    this._conflating = Boolean(m.buffer && m.buffer.policy === 'conflate');
    this.stats.connects++;
    if (this._everWelcomed) this.stats.reconnects++;
    if (m.resumed) this.stats.resumes++;
    this._everWelcomed = true;
    const now = clock.now();
    for (const topic of this._topics.values()) {
      if (this._helloPositions.has(topic.name)) {
        // The server subscribes it from the position we sent: replay, or reset and snapshot.
        topic._pending = RESTORE;
        topic._serverKnows = true;
        topic._sentAt = now;
        topic._setState('subscribing');
      } else {
        topic._resubscribe(false);
      }
    }
    this._liveness.start(this.options.heartbeatMs || m.heartbeatMs || 15_000);
    this._timers.ack = clock.setInterval(() => this._requests.flushAcks(false), this.options.ackIntervalMs);
    // The backoff starts over only once a connection has lasted: one that is closed again soon
    // (4001 after a few seconds of slow reading) keeps raising it.
    this._timers.stable = clock.setTimeout(() => this._reconnect.stable(), this.options.stableAfterMs);
    this._refresh.start(this._helloToken);
    this._setState('open');
    this._emit('welcome', { session: m.session, resumed: Boolean(m.resumed), heartbeatMs: m.heartbeatMs, buffer: m.buffer });
    this._requests.pump();
  }

  /**
   * A subscription still unanswered `subscribeTimeoutMs` after it was asked for: a restore the
   * server did not make (it stops quietly at its `maxSubscriptions`) is asked for explicitly; an
   * explicit `subscribe` left unanswered means the connection is broken, so it is replaced.
   */
  _checkSubscribeTimeouts(now) {
    const limit = this.options.subscribeTimeoutMs;
    for (const topic of this._topics.values()) {
      const pending = topic._pending;
      if (pending === undefined || pending === QUEUED || now - topic._sentAt < limit) continue;
      if (pending === RESTORE) {
        topic._resubscribe(false);
        continue;
      }
      const message = `no answer to subscribe ${topic.name} in ${limit} ms`;
      this._emit('error', { code: 'timeout', message, topic: topic.name });
      this._abandon(this._sock, message);
      return;
    }
  }

  /** Gives up on a socket that is open but useless, and reconnects. */
  _abandon(sock, reason) {
    if (sock === null || this._sock !== sock) return;
    this._record('event', `abandon: ${reason}`);
    if (!sock.opened) this._reconnect.failedToOpen(sock.kind);
    this._lost(CLOSE_CLIENT_TIMEOUT, reason, sock.opened);
    try {
      sock.close(CLOSE_CLIENT_TIMEOUT, reason.slice(0, 100));
    } catch (ignored) {
      // The socket is gone either way.
    }
  }

  /** The current socket closed (or was abandoned): decide whether and when to come back. */
  _lost(code, reason, opened) {
    this._record('event', `closed ${code} ${reason || ''}`);
    this._teardown();
    for (const topic of this._topics.values()) topic._offline();
    this._emit('disconnect', { code, reason: reason || '' });
    const delay = this._reconnect.afterClose(code, opened);
    if (delay < 0) {
      this._fail(`close-${code}`, reason || `closed ${code}`);
      return;
    }
    this._setState(this._everWelcomed || this.state === 'reconnecting' ? 'reconnecting' : 'connecting');
    if (this._environment.networkDown) return; // the `online` event brings it back
    this._retryIn(delay);
  }

  _retryIn(delay) {
    this._clock.clearTimeout(this._timers.retry);
    this._timers.retry = this._clock.setTimeout(() => {
      this._timers.retry = 0;
      if (this._attempting()) this._open();
    }, delay);
  }

  /**
   * Gives up until the app calls `connect()` again: retrying cannot help until the app, its
   * token or the page is fixed. The topics stay (offline, rows kept) for that `connect()`.
   */
  _fail(code, message) {
    this._teardown();
    this._environment.listen(false);
    for (const topic of this._topics.values()) topic._offline();
    this._emit('error', { code, message });
    this._setState('failed');
  }

  /** Forgets the socket and everything tied to it. */
  _teardown() {
    const clock = this._clock;
    for (const key of Object.keys(this._timers)) {
      clock.clearTimeout(this._timers[key]);
      clock.clearInterval(this._timers[key]);
      this._timers[key] = 0;
    }
    if (this._sock) {
      this._sock.onopen = this._sock.onmessage = this._sock.onclose = () => {};
    }
    this._sock = null;
    this._welcomed = false;
    this._requests.clear();
    this._refresh.stop();
    this._liveness.stop();
  }

  // ------------------------------------------------------------------------- environment

  _onNetwork(online) {
    this._record('event', online ? 'online' : 'offline');
    if (!online) {
      this._environment.networkDown = true;
      this._clock.clearTimeout(this._timers.retry);
      this._timers.retry = 0;
      if (this._sock !== null) this._abandon(this._sock, 'network offline');
      return;
    }
    this._environment.networkDown = false;
    this._wake();
  }

  /** The page or the network is back: check the socket, or reconnect without waiting. */
  _wake() {
    if (this._sock !== null) {
      if (this._welcomed) this._liveness.probe();
      return;
    }
    if (this._environment.networkDown || this._opening || !this._attempting()) return;
    this._clock.clearTimeout(this._timers.retry);
    this._timers.retry = 0;
    this._open();
  }

  // ------------------------------------------------------------------------- receiving

  _onFrame(data) {
    this._liveness.heard();
    if (typeof data !== 'string') return; // the protocol is text only
    this._record('in', data);
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch (err) {
      this._violation(null, 'frame is not JSON');
      return;
    }
    const sock = this._sock;
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      if (this._sock !== sock) return; // a message closed the socket
      this.stats.messagesIn++;
      dispatch(this, m);
    }
  }

  /** The server sent something this client cannot make sense of for a topic: start it over. */
  _violation(topic, what) {
    this.stats.violations++;
    this._record('event', `violation: ${what}`);
    this._emit('error', { code: 'protocol', message: what, topic: topic ? topic.name : undefined });
    if (topic !== null) topic._resubscribe(true);
  }

  // ------------------------------------------------------------------------- sending

  _unsubscribe(topic) {
    if (this._topics.get(topic.name) !== topic) return;
    this._topics.delete(topic.name);
    // The server knows the subscription if we asked for it or expect it restored; otherwise a
    // queued subscribe is simply withdrawn.
    this._requests.withdraw(topic.name);
    if (topic._serverKnows) this._requests.queue(topic.name, 'unsubscribe');
    topic._close('unsubscribed');
  }

  _write(message) {
    const sock = this._sock;
    if (sock === null) return;
    const text = JSON.stringify(message);
    this._record('out', text);
    this.stats.messagesOut++;
    try {
      sock.send(text);
    } catch (err) {
      // The socket is closing; its close event takes it from here.
    }
  }

  // ------------------------------------------------------------------------- misc

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    this._emit('state', state);
  }

  _record(dir, text) {
    const size = this.options.traceSize;
    if (size <= 0) return;
    if (this._trace.length >= size) this._trace.shift();
    this._trace.push({ t: this._clock.now(), dir, text });
  }
}

function randomId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
