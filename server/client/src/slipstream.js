/**
 * Slipstream client: live keyed tables over WebSocket or SockJS, in browsers and in Node.
 *
 * A plain ES module with no dependencies and no build step. It is the npm package
 * `slipstream-client` (server/client; a CommonJS copy is generated at pack time) and the file
 * the server serves at `/slipstream.js` and `/slipstream/<version>/slipstream.js`, with its
 * typings beside it. It speaks the wire protocol of docs/protocol.md and keeps, per subscribed
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

/** Names the server accepts (docs/protocol.md §1). */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,128}$/;

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
/** Vert.x's SockJS close code; without a `close` message before it, it means 4001 (§2). */
const SOCKJS_GO_AWAY = 3000;
/** Slow consumer and rate limit: the client itself was the problem, so it waits longer. */
const CLOSE_SLOW_CONSUMER = 4001;
const CLOSE_RATE_LIMITED = 4029;
/** Used by this client when it gives up on a socket itself (silence, no welcome in time). */
const CLOSE_CLIENT_TIMEOUT = 4000;
/** A socket that answers nothing this long after a probe `ping` (page shown, network back) is dead. */
const PROBE_TIMEOUT_MS = 5_000;
/**
 * Largest `hello.positions` the client sends, in characters of JSON: the frame must stay under
 * the server's `maxFrameBytes` (64 KiB by default). Topics beyond it are subscribed one by one.
 */
const HELLO_POSITIONS_MAX_CHARS = 48 * 1024;
/** Named in `hello.positions` for a topic with no rows yet: no epoch matches it, so a snapshot. */
const NO_POSITION = Object.freeze({ epoch: '', seq: 0 });

/** `topic._pending` while a subscribe is wanted but not yet sent: everything is stale. */
const QUEUED = Symbol('queued');
/** `topic._pending` while a resumed session is expected to restore the subscription. */
const RESTORE = Symbol('restore');

const DEFAULTS = Object.freeze({
  transport: 'websocket',
  clientId: undefined,
  token: undefined,
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
 * Reports an exception thrown by app code (a listener) without letting it escape: the page's
 * `reportError` where there is one (it shows in the console and in `error` handlers), else
 * `console.error`. Never rethrown: in Node a rethrow from a timer would end the process.
 */
function report(err) {
  try {
    if (typeof globalThis.reportError === 'function') {
      globalThis.reportError(err);
      return;
    }
  } catch (ignored) {
    // Fall through to the console.
  }
  if (typeof console !== 'undefined') console.error('slipstream: a listener threw', err);
}

/**
 * A minimal event emitter. A listener that throws is reported (as an uncaught error) and does
 * not stop the client or the other listeners: the client's state must never depend on app code.
 */
class Emitter {
  constructor() {
    this._listeners = new Map();
  }

  /** Adds a listener; returns a function that removes it. */
  on(event, fn) {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  /** Adds a listener called at most once. */
  once(event, fn) {
    const off = this.on(event, (...args) => {
      off();
      fn(...args);
    });
    return off;
  }

  off(event, fn) {
    const set = this._listeners.get(event);
    if (set) set.delete(fn);
  }

  _has(event) {
    const set = this._listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  _emit(event, payload) {
    const set = this._listeners.get(event);
    if (!set || set.size === 0) return;
    for (const fn of [...set]) {
      try {
        fn(payload);
      } catch (err) {
        report(err);
      }
    }
  }
}

/**
 * One subscribed topic: its rows, its position and its events. Created by
 * {@link Slipstream#subscribe}; all protocol handling for the topic lives here.
 */
export class Topic extends Emitter {
  constructor(client, name) {
    super();
    this._client = client;
    this.name = name;
    /** The table: key to row object, always the topic's state at {@link #position}. */
    this.rows = new Map();
    this._position = null;
    /** 'subscribing' | 'loading' | 'streaming' | 'offline' | 'closed' */
    this.state = 'subscribing';
    /**
     * Why messages of this topic are ignored: undefined when the subscription on the current
     * connection is established; QUEUED or a request id while a (re)subscribe is on its way
     * (the old subscription's frames may still arrive before its `subscribed`); RESTORE while a
     * resumed session is expected to bring the subscription back by itself.
     */
    this._pending = QUEUED;
    /** Whether the server may hold a subscription of ours for this topic on this connection. */
    this._serverKnows = false;
    /** The id of our latest subscribe for this topic. */
    this._requestId = undefined;
    /** When the pending subscribe (or the restore we expect) was asked for: its timeout. */
    this._sentAt = 0;
    this._wantSnapshot = false;
    this._snapshot = null;
    this._sinceAck = 0;
    this._ackedSeq = -1;
    this._ready = false;
    this.ready = new Promise((resolve, reject) => {
      this._resolveReady = resolve;
      this._rejectReady = reject;
    });
    // A topic nobody awaits must not surface as an unhandled rejection when it is closed.
    this.ready.catch(() => {});
  }

  /** The last change applied, `{epoch, seq}`, or null before the first snapshot. */
  get position() {
    return this._position === null ? null : { ...this._position };
  }

  /** Stops the subscription and forgets the rows. Idempotent. */
  unsubscribe() {
    this._client._unsubscribe(this);
  }

  // ------------------------------------------------------------------------- client side

  /** The connection was lost: whatever was in flight is void; rows and position stay. */
  _offline() {
    this._pending = QUEUED;
    this._serverKnows = false;
    this._snapshot = null;
    this._sinceAck = 0;
    this._ackedSeq = -1;
    this._setState('offline');
  }

  /** Stops listening to the server for this topic and asks the client to subscribe again. */
  _resubscribe(fresh) {
    this._pending = QUEUED;
    this._snapshot = null;
    this._wantSnapshot = this._wantSnapshot || fresh || this._position === null;
    this._setState('subscribing');
    this._client._queueSubscribe(this);
  }

  /** The `from` of the next subscribe; clears the wish for a snapshot. */
  _takeFrom() {
    const from = this._wantSnapshot || this._position === null ? undefined : this.position;
    this._wantSnapshot = false;
    return from;
  }

  _close(reason) {
    this._setState('closed');
    this._pending = QUEUED;
    this._snapshot = null;
    if (!this._ready) this._rejectReady(new Error(`subscription to ${this.name} ended: ${reason}`));
  }

  _setState(state) {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    this._emit('state', state);
  }

  // ------------------------------------------------------------------------- server side

  _onMessage(m) {
    switch (m.type) {
      case 'subscribed':
        this._onSubscribed(m);
        break;
      case 'snapshot':
        if (this._pending === undefined) this._onSnapshot(m);
        break;
      case 'change':
        if (this._pending === undefined) this._onChange(m);
        break;
      case 'dropped':
        if (this._pending === undefined) this._onDropped(m);
        break;
      case 'reset':
        // On resume the session announces a reset before the restored `subscribed`.
        // A topic without rows yet (named at NO_POSITION in hello) has nothing to reset.
        if ((this._pending === undefined || this._pending === RESTORE) && this._position !== null) {
          // The new snapshot follows; the rows are replaced when it is complete.
          this._emit('reset', { reason: m.reason });
        }
        break;
      case 'conflated':
        if (this._pending === undefined) this._emit('conflated', { count: m.count });
        break;
      default:
        break;
    }
  }

  _onSubscribed(m) {
    const pending = this._pending;
    // Our own request is answered only by the `subscribed` carrying its id; anything before it
    // belongs to a subscription the server has since restarted.
    if (pending === QUEUED || (typeof pending === 'number' && m.id !== pending)) return;
    this._pending = undefined;
    this._snapshot = null;
    // Whatever the server starts from now is consistent with our rows or replaces them.
    this._wantSnapshot = false;
    this._emit('subscribed', { epoch: m.epoch, seq: m.seq, mode: m.mode });
    if (m.mode === 'snapshot') {
      this._setState('loading');
      return;
    }
    const p = this._position;
    if (p !== null && p.epoch === m.epoch && m.seq <= p.seq) {
      // Replay from at or before our position: anything at or below it is a duplicate.
      this._setState('streaming');
      this._markReady();
      this._client._ackDue(this);
      return;
    }
    if (p !== null && p.epoch === m.epoch) {
      // The replay starts after our position: the changes between would be missing.
      this._client.stats.gapsHealed++;
      this._resubscribe(false);
    } else {
      // A replay of an epoch (or from a position) we have no rows for cannot be applied.
      this._resubscribe(true);
    }
  }

  _onSnapshot(m) {
    if (m.phase === 'begin') {
      // `ts` per key: the time each row was last published, reported with its snapshot event.
      this._snapshot = { epoch: m.epoch, seq: m.seq, rows: new Map(), ts: new Map() };
      this._setState('loading');
      return;
    }
    const snap = this._snapshot;
    if (m.phase !== 'end' || snap === null || snap.epoch !== m.epoch || snap.seq !== m.seq) {
      this._client._violation(this, `unexpected snapshot ${m.phase}`);
      return;
    }
    this._snapshot = null;
    const hadState = this._position !== null;
    // Keep the Map's identity: apps may hold on to `topic.rows`.
    this.rows.clear();
    for (const [key, row] of snap.rows) this.rows.set(key, row);
    this._position = { epoch: snap.epoch, seq: snap.seq };
    if (hadState) this._client.stats.resets++;
    this._setState('streaming');
    this._emit('snapshot', { epoch: snap.epoch, seq: snap.seq, size: snap.rows.size });
    if (this._has('change')) {
      for (const [key, row] of this.rows) {
        this._emit('change', {
          op: 'INSERT', key, row, prev: undefined, epoch: snap.epoch, seq: snap.seq,
          ts: snap.ts.get(key), snapshot: true,
        });
      }
    }
    this._emit('update', this);
    this._markReady();
    this._sinceAck = this._client.options.ackEvery; // acknowledge the snapshot promptly
    this._client._ackDue(this);
  }

  _onChange(m) {
    if (m.snapshot === true) {
      const snap = this._snapshot;
      if (snap === null || snap.epoch !== m.epoch) {
        this._client._violation(this, 'snapshot row outside a snapshot');
      } else {
        snap.rows.set(m.key, m.row);
        if (typeof m.ts === 'number') snap.ts.set(m.key, m.ts);
      }
      return;
    }
    const p = this._position;
    if (this._snapshot !== null || p === null || m.epoch !== p.epoch) {
      this._client._violation(this, `change ${m.epoch}/${m.seq} without a base to apply it to`);
      return;
    }
    if (m.seq <= p.seq) {
      this._client.stats.duplicatesDropped++;
      return;
    }
    if (m.seq !== p.seq + 1 && !this._client._conflating) {
      // Guarantee 1 says this cannot happen; heal it, but count it so that it shows.
      this._client.stats.unannouncedGaps++;
      this._client.stats.gapsHealed++;
      this._resubscribe(false);
      return;
    }
    const prev = this.rows.get(m.key);
    if (m.op === 'DELETE') {
      this.rows.delete(m.key);
    } else {
      this.rows.set(m.key, m.row);
    }
    this._position = { epoch: m.epoch, seq: m.seq };
    this._client.stats.changesApplied++;
    this._emit('change', {
      op: m.op, key: m.key, row: m.row, prev, epoch: m.epoch, seq: m.seq, ts: m.ts,
      snapshot: false,
    });
    this._emit('update', this);
    this._sinceAck++;
    this._client._ackDue(this);
  }

  _onDropped(m) {
    const p = this._position;
    if (p !== null && m.to <= p.seq) return; // nothing we lack
    this._emit('gap', { from: m.from, to: m.to, count: m.count, reason: m.reason });
    this._client.stats.gapsHealed++;
    this._resubscribe(false);
  }

  _markReady() {
    if (!this._ready) {
      this._ready = true;
      this._resolveReady(this);
    }
  }
}

/**
 * A connection to a Slipstream server that survives network failures: it reconnects with
 * exponential backoff and full jitter, resumes its session, and keeps every subscribed topic's
 * rows exact across the outage.
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
    /** Failed attempts since the last stable connection: the backoff's exponent. */
    this._attempts = 0;
    /** 4003 closes since the last welcome. */
    this._authFailures = 0;
    this._wsFailuresBeforeOpen = 0;
    this._useSockJs = o.transport === 'sockjs';
    /** Under `auto`, when WebSocket is tried again after falling back to SockJS. */
    this._websocketRetryAt = 0;
    /** The network is down (`offline` event): no attempt until `online`. */
    this._networkDown = false;
    this._conflating = false;
    this._heartbeatMs = 0;
    this._lastHeard = 0;
    this._lastPing = 0;
    this._nextId = 0;
    this._helloPositions = new Set();
    this._inflight = new Map(); // request id -> {topic, kind}
    this._ops = new Map(); // topic name -> 'subscribe' | 'unsubscribe', in request order
    this._tokens = o.sendBurst;
    this._tokensAt = this._clock.now();
    this._timers = { retry: 0, connect: 0, watchdog: 0, ack: 0, pump: 0, stable: 0, probe: 0 };
    this._trace = [];
    this._environment = null;
    /** An `_open` is under way (awaiting the token or the `ws` module). */
    this._opening = false;
    /** Whether anything was heard since the last probe `ping`. */
    this._heardSinceProbe = true;
    // A microtask later, so that listeners added right after construction see 'connecting'.
    if (o.autoConnect) queueMicrotask(() => this.connect());
  }

  /** The transport in use or about to be used: 'websocket' or 'sockjs'. */
  get transport() {
    return this._useSockJs ? 'sockjs' : 'websocket';
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
    this._attempts = 0;
    this._authFailures = 0;
    this._listenToEnvironment(true);
    this._setState('connecting');
    this._open();
  }

  /** Closes the connection: no reconnect until `connect()`; every topic ends. Idempotent. */
  close() {
    if (this.state === 'closed') return;
    const sock = this._sock;
    this._teardown();
    this._listenToEnvironment(false);
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
    this._pickTransport();
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
      if (this._attempting()) sock = this._useSockJs ? this._openSockJs() : await this._openWebSocket();
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
      if (!sock.opened && sock.kind === 'websocket') this._wsFailuresBeforeOpen++;
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
   * Under `auto`, WebSocket again once `websocketRetryMs` has passed since falling back: the
   * failures that made the client fall back may have been a server restart, not a proxy.
   */
  _pickTransport() {
    if (this.options.transport !== 'auto' || !this._useSockJs) return;
    if (this._clock.now() >= this._websocketRetryAt) {
      this._useSockJs = false;
      this._wsFailuresBeforeOpen = 0;
    }
  }

  async _openWebSocket() {
    const WS = this.options.WebSocket || globalThis.WebSocket || (await nodeWebSocket());
    if (typeof WS !== 'function') {
      throw new Error('no WebSocket in this environment (in Node 20: npm install ws)');
    }
    const url = resolveUrl(this.options.url, 'websocket');
    const ws = new WS(url);
    const sock = adapt(ws, 'websocket', url);
    ws.onmessage = (e) => sock.onmessage(e.data);
    return sock;
  }

  _openSockJs() {
    const SJ = this.options.SockJS || globalThis.SockJS;
    if (typeof SJ !== 'function') {
      throw new Error('transport sockjs needs sockjs-client loaded (global SockJS)');
    }
    const url = resolveUrl(this.options.url, 'sockjs');
    const sj = new SJ(url, null, this.options.sockjsOptions);
    const sock = adapt(sj, 'sockjs', url);
    sj.onmessage = (e) => sock.onmessage(e.data);
    return sock;
  }

  /**
   * Says hello with every topic in `positions` (contract 1.1 subscribes them on a fresh session
   * too): one message re-subscribes them all, where one `subscribe` each would take seconds
   * under the server's inbound rate limit. Topics without rows yet are named at NO_POSITION,
   * which gets them a snapshot; those that do not fit HELLO_POSITIONS_MAX_CHARS are subscribed
   * after the welcome.
   */
  _hello(token) {
    const hello = { type: 'hello', clientId: this.options.clientId };
    if (token) hello.token = token;
    if (this.options.batch) hello.batch = true;
    if (this._resumeToken !== null) hello.resume = this._resumeToken;
    this._helloPositions = new Set();
    const positions = {};
    let chars = 0;
    for (const topic of this._topics.values()) {
      const p = topic._position === null ? NO_POSITION : topic._position;
      chars += topic.name.length + p.epoch.length + 40;
      if (chars > HELLO_POSITIONS_MAX_CHARS) break;
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
    this._authFailures = 0;
    this._wsFailuresBeforeOpen = 0;
    this.session = m.session;
    this._resumeToken = m.resume;
    this._conflating = Boolean(m.buffer && m.buffer.policy === 'conflate');
    this._heartbeatMs = this.options.heartbeatMs || m.heartbeatMs || 15_000;
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
    this._lastHeard = now;
    this._lastPing = 0;
    const tick = Math.max(100, Math.min(1_000, this._heartbeatMs / 4));
    this._timers.watchdog = clock.setInterval(() => this._watchdog(), tick);
    this._timers.ack = clock.setInterval(() => this._flushAcks(false), this.options.ackIntervalMs);
    // The backoff starts over only once a connection has lasted: one that is closed again soon
    // (4001 after a few seconds of slow reading) keeps raising it.
    this._timers.stable = clock.setTimeout(() => {
      this._attempts = 0;
    }, this.options.stableAfterMs);
    this._setState('open');
    this._emit('welcome', { session: m.session, resumed: Boolean(m.resumed), heartbeatMs: m.heartbeatMs, buffer: m.buffer });
    this._pump();
  }

  /**
   * Liveness. Browsers hide WebSocket pings from scripts, so on a quiet topic the client asks
   * with its own `ping`; the socket is dead only when a ping of ours went unanswered and nothing
   * at all was heard for two heartbeats (throttled timers in background tabs then cannot kill a
   * healthy socket: the pong arrives as soon as the ping is sent). Also times subscriptions out.
   */
  _watchdog() {
    const now = this._clock.now();
    const silent = now - this._lastHeard;
    const hb = this._heartbeatMs;
    if (this._lastPing > this._lastHeard && silent >= 2 * hb && now - this._lastPing >= hb / 2) {
      this._abandon(this._sock, `nothing heard for ${silent} ms`);
      return;
    }
    if (silent >= hb && now - this._lastPing >= hb) {
      this._lastPing = now;
      this._write({ type: 'ping' });
    }
    this._checkSubscribeTimeouts(now);
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

  /** Asks an open socket for a `pong` now; if nothing at all comes back soon, replaces it. */
  _probe() {
    const sock = this._sock;
    if (sock === null || !this._welcomed) return;
    const clock = this._clock;
    this._lastPing = clock.now();
    this._heardSinceProbe = false;
    this._write({ type: 'ping' });
    clock.clearTimeout(this._timers.probe);
    this._timers.probe = clock.setTimeout(() => {
      if (!this._heardSinceProbe) this._abandon(sock, `no answer to a ping in ${PROBE_TIMEOUT_MS} ms`);
    }, PROBE_TIMEOUT_MS);
  }

  /** Gives up on a socket that is open but useless, and reconnects. */
  _abandon(sock, reason) {
    if (sock === null || this._sock !== sock) return;
    this._record('event', `abandon: ${reason}`);
    if (!sock.opened && sock.kind === 'websocket') this._wsFailuresBeforeOpen++;
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
    if (FATAL_CLOSE_CODES.has(code)) {
      this._fail(`close-${code}`, reason || `closed ${code}`);
      return;
    }
    if (code === CLOSE_UNAUTHORIZED) {
      this._authFailures++;
      if (typeof this.options.token !== 'function' || this._authFailures > AUTH_RETRIES) {
        this._fail(`close-${code}`, reason || `closed ${code}`);
        return;
      }
    }
    if (
      this.options.transport === 'auto' && !this._useSockJs && this._wsFailuresBeforeOpen >= 2 &&
      typeof (this.options.SockJS || globalThis.SockJS) === 'function'
    ) {
      // WebSocket never got through (a proxy, most likely): SockJS for a while.
      this._useSockJs = true;
      this._websocketRetryAt = this._clock.now() + this.options.websocketRetryMs;
      this._attempts = 0;
    }
    if (code === CLOSE_SLOW_CONSUMER || code === CLOSE_RATE_LIMITED) {
      this._attempts = Math.max(this._attempts, 2);
    }
    const delay = code === CLOSE_RESTARTING && opened
      ? Math.floor(this._clock.random() * RESTART_JITTER_MS)
      : backoff(this._attempts, this.options.backoffBaseMs, this.options.backoffCapMs, this._clock.random());
    this._attempts++;
    this._setState(this._everWelcomed || this.state === 'reconnecting' ? 'reconnecting' : 'connecting');
    if (this._networkDown) return; // the `online` event brings it back
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
    this._listenToEnvironment(false);
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
    this._inflight.clear();
    this._ops.clear();
  }

  // ------------------------------------------------------------------------- environment

  /**
   * Follows the network (`online`/`offline`) and the page's visibility where they exist. Offline,
   * the socket is given up at once (a dead network would otherwise take two heartbeats to show)
   * and nothing is tried until `online`; back online, or shown again, an open socket is probed
   * and a waiting reconnect happens now.
   */
  _listenToEnvironment(on) {
    const win = this.options.window;
    const doc = this.options.document;
    if (on && this._environment === null) {
      const handlers = {
        offline: () => this._onNetwork(false),
        online: () => this._onNetwork(true),
        visibilitychange: () => {
          if (doc.visibilityState === 'visible') this._wake();
        },
      };
      this._environment = handlers;
      if (win && typeof win.addEventListener === 'function') {
        win.addEventListener('offline', handlers.offline);
        win.addEventListener('online', handlers.online);
      }
      if (doc && typeof doc.addEventListener === 'function') {
        doc.addEventListener('visibilitychange', handlers.visibilitychange);
      }
      const nav = globalThis.navigator;
      this._networkDown = Boolean(win === globalThis && nav && nav.onLine === false);
    } else if (!on && this._environment !== null) {
      const handlers = this._environment;
      this._environment = null;
      this._networkDown = false;
      if (win && typeof win.removeEventListener === 'function') {
        win.removeEventListener('offline', handlers.offline);
        win.removeEventListener('online', handlers.online);
      }
      if (doc && typeof doc.removeEventListener === 'function') {
        doc.removeEventListener('visibilitychange', handlers.visibilitychange);
      }
    }
  }

  _onNetwork(online) {
    this._record('event', online ? 'online' : 'offline');
    if (!online) {
      this._networkDown = true;
      this._clock.clearTimeout(this._timers.retry);
      this._timers.retry = 0;
      if (this._sock !== null) this._abandon(this._sock, 'network offline');
      return;
    }
    this._networkDown = false;
    this._wake();
  }

  /** The page or the network is back: check the socket, or reconnect without waiting. */
  _wake() {
    if (this._sock !== null) {
      if (this._welcomed) this._probe();
      return;
    }
    if (this._networkDown || this._opening || !this._attempting()) return;
    this._clock.clearTimeout(this._timers.retry);
    this._timers.retry = 0;
    this._open();
  }

  // ------------------------------------------------------------------------- receiving

  _onFrame(data) {
    this._lastHeard = this._clock.now();
    this._heardSinceProbe = true;
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
      this._onMessage(m);
    }
  }

  _onMessage(m) {
    if (m === null || typeof m !== 'object') return;
    this._emit('message', m);
    switch (m.type) {
      case 'welcome':
        if (!this._welcomed) this._onWelcome(m);
        return;
      case 'ping':
        this._write({ type: 'pong' });
        return;
      case 'pong':
        return;
      case 'close':
        // The server's close code, sent ahead of the close itself by transports that cannot
        // carry one; it decides how we come back once the socket actually closes.
        if (this._sock !== null && typeof m.code === 'number') {
          this._sock.closeMessage = { code: m.code, reason: String(m.reason || '') };
        }
        return;
      case 'warning':
        this._emit('warning', { fill: m.fill, pending: m.pending, max: m.max });
        return;
      case 'error':
        this._onError(m);
        return;
      case 'unsubscribed':
        this._inflight.delete(m.id);
        return;
      default:
        break;
    }
    if (typeof m.topic !== 'string') return;
    const topic = this._topics.get(m.topic);
    if (m.type === 'subscribed') {
      this._inflight.delete(m.id);
      if (topic === undefined) {
        // A resumed session restored a topic we have let go of since.
        this._queue(m.topic, 'unsubscribe');
        return;
      }
    }
    if (topic !== undefined) topic._onMessage(m);
  }

  _onError(m) {
    const request = m.id === undefined ? undefined : this._inflight.get(m.id);
    this._inflight.delete(m.id);
    this._emit('error', { code: m.code, message: m.message, id: m.id, topic: request && request.topic });
    if (request === undefined) return;
    const topic = this._topics.get(request.topic);
    if (m.code === 'rate-limited') {
      // Not processed: ask again, paced by our own limiter.
      if (request.kind === 'unsubscribe' && topic === undefined) this._queue(request.topic, 'unsubscribe');
      if (request.kind === 'subscribe' && topic !== undefined && topic._pending === m.id) topic._resubscribe(false);
      return;
    }
    if (request.kind === 'subscribe' && topic !== undefined && topic._pending === m.id) {
      this._topics.delete(topic.name);
      topic._emit('error', { code: m.code, message: m.message });
      topic._close(`${m.code}: ${m.message}`);
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

  _queueSubscribe(topic) {
    this._queue(topic.name, 'subscribe');
  }

  _unsubscribe(topic) {
    if (this._topics.get(topic.name) !== topic) return;
    this._topics.delete(topic.name);
    // The server knows the subscription if we asked for it or expect it restored; otherwise a
    // queued subscribe is simply withdrawn.
    this._ops.delete(topic.name);
    if (topic._serverKnows) this._queue(topic.name, 'unsubscribe');
    topic._close('unsubscribed');
  }

  _queue(name, kind) {
    if (!this._welcomed) return; // re-derived from state at the next welcome
    this._ops.set(name, kind);
    this._pump();
  }

  /**
   * Sends queued subscribes and unsubscribes no faster than `sendRate` (token bucket), so that
   * re-subscribing many topics after a reconnect never trips the server's inbound rate limit.
   */
  _pump() {
    this._clock.clearTimeout(this._timers.pump);
    this._timers.pump = 0;
    if (!this._welcomed) return;
    this._refill();
    for (const [name, kind] of this._ops) {
      if (this._tokens < 1) break;
      this._ops.delete(name);
      this._tokens--;
      const id = ++this._nextId;
      if (kind === 'unsubscribe') {
        this._inflight.set(id, { topic: name, kind });
        this._write({ type: 'unsubscribe', id, topic: name });
        continue;
      }
      const topic = this._topics.get(name);
      if (topic === undefined) continue;
      // A subscribe replaced by a newer one may never be answered: forget it now.
      this._inflight.delete(topic._requestId);
      this._inflight.set(id, { topic: name, kind });
      topic._requestId = id;
      topic._pending = id;
      topic._sentAt = this._clock.now();
      topic._serverKnows = true;
      const from = topic._takeFrom();
      this._write(from === undefined ? { type: 'subscribe', id, topic: name } : { type: 'subscribe', id, topic: name, from });
    }
    if (this._ops.size > 0) {
      const wait = Math.ceil(((1 - this._tokens) / this.options.sendRate) * 1000);
      this._timers.pump = this._clock.setTimeout(() => this._pump(), Math.max(10, wait));
    }
  }

  _refill() {
    const now = this._clock.now();
    const o = this.options;
    this._tokens = Math.min(o.sendBurst, this._tokens + ((now - this._tokensAt) * o.sendRate) / 1000);
    this._tokensAt = now;
  }

  /** A topic applied something: acknowledge at once if enough piled up, else on the timer. */
  _ackDue(topic) {
    if (topic._sinceAck >= this.options.ackEvery) this._flushAcks(true);
  }

  /**
   * Sends cumulative acks for established topics that moved. Acks are state, not requests: one
   * that finds no send budget is simply taken by a later flush.
   */
  _flushAcks(onlyDue) {
    if (!this._welcomed) return;
    for (const topic of this._topics.values()) {
      const p = topic._position;
      if (topic._pending !== undefined || p === null || p.seq === topic._ackedSeq) continue;
      if (onlyDue && topic._sinceAck < this.options.ackEvery) continue;
      if (this._ops.size > 0) return; // requests first
      this._refill();
      if (this._tokens < 1) return;
      this._tokens--;
      topic._ackedSeq = p.seq;
      topic._sinceAck = 0;
      this._write({ type: 'ack', topic: topic.name, seq: p.seq });
    }
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

/** Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt)]; `random` in [0, 1). */
function backoff(attempt, baseMs, capMs, random) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random * ceiling);
}

/**
 * Node 20 has no global WebSocket: the `ws` package (an optional peer dependency) stands in.
 * The specifier is a variable so that bundlers for the browser leave it alone.
 */
let wsModule;
function nodeWebSocket() {
  if (wsModule === undefined) {
    const name = 'ws';
    wsModule = import(name).then(
      (m) => m.WebSocket || (m.default && m.default.WebSocket) || m.default,
      () => undefined,
    );
  }
  return wsModule;
}

/**
 * The endpoint for a transport. A bare origin (or a path of `/ws` or `/sockjs`) gets the
 * transport's standard path; any other path is taken as given. Schemes follow the transport.
 */
function resolveUrl(base, kind) {
  const url = new URL(base, globalThis.location === undefined ? undefined : globalThis.location.href);
  if (url.pathname === '/' || url.pathname === '' || url.pathname === '/ws' || url.pathname === '/sockjs') {
    url.pathname = kind === 'sockjs' ? '/sockjs' : '/ws';
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (kind === 'sockjs') {
    url.protocol = secure ? 'https:' : 'http:';
  } else {
    url.protocol = secure ? 'wss:' : 'ws:';
  }
  return url.toString();
}

/** WebSocket and SockJS behind one shape: send, close, and three callbacks. */
function adapt(socket, kind, url) {
  const sock = {
    kind,
    url,
    opened: false,
    closeMessage: null,
    onopen: () => {},
    onmessage: () => {},
    onclose: () => {},
    send: (text) => socket.send(text),
    close: (code, reason) => socket.close(code, reason),
  };
  socket.onopen = () => sock.onopen();
  socket.onclose = (e) => sock.onclose(e.code, e.reason);
  // An error is always followed by a close, which is where recovery starts.
  socket.onerror = () => {};
  return sock;
}

function randomId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
