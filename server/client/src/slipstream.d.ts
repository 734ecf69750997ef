/**
 * Typings for the Slipstream browser client (`/slipstream.js`), wire protocol version 1.
 *
 *   import { Slipstream } from '/slipstream.js';
 *   const client = new Slipstream({ url: location.origin });
 *   const orders = client.subscribe<Order>('orders');
 *   orders.on('update', () => render(orders.rows));
 *   client.on('state', (s) => (status.textContent = s));
 */

/** A JSON object: what a row is. */
export type Row = { [field: string]: unknown };

/** The last change applied to a topic: `seq` counts changes within one `epoch` (history). */
export interface Position {
  readonly epoch: string;
  readonly seq: number;
}

/**
 * `idle` until `connect()`; `open` once welcomed; `failed` (retrying cannot help: a fatal close
 * code, a token refused too often, no transport) and `closed` (by `close()`) stay until the app
 * calls `connect()` again.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';

/**
 * `subscribing`: waiting for the server to (re)start the subscription; `loading`: a snapshot is
 * arriving (the rows still show the previous state); `streaming`: changes are applied as they
 * come; `offline`: the connection is down, rows and position are kept; `closed`: unsubscribed,
 * refused by the server, or the client closed. Only `closed` is final.
 */
export type TopicState = 'subscribing' | 'loading' | 'streaming' | 'offline' | 'closed';

export type Transport = 'websocket' | 'sockjs';

export interface SlipstreamOptions {
  /**
   * The server: an origin (`http://host:8080`, the page's origin by default) gets `/ws` or
   * `/sockjs` appended; `ws://host/ws` and `http://host/sockjs` are also accepted; any other
   * path is used as given. The scheme follows the transport.
   */
  url?: string;
  /**
   * `websocket` (default); `sockjs` needs sockjs-client loaded (global `SockJS`, served at
   * `/webjars/sockjs-client/1.6.1/dist/sockjs.min.js`); `auto` uses WebSocket and switches to
   * SockJS after two WebSocket attempts in a row failed to open, if SockJS is loaded, and tries
   * WebSocket again at the first reconnect `websocketRetryMs` later.
   */
  transport?: Transport | 'auto';
  /** Under `auto`, how long SockJS is used after falling back before WebSocket is tried again. 60,000 ms. */
  websocketRetryMs?: number;
  /** Sent in `hello`; shows in `/api/connections`. A random id by default. */
  clientId?: string;
  /**
   * A JWT for servers with a key (`jwtSecret`, `jwtPublicKey`, `jwtJwksFile`). A function is
   * called before every connection attempt and, while connected, again before the token in
   * force expires: the client sends it in an `auth` message (see `tokenRefreshAt`), so the
   * connection outlives its tokens. A close 4003 (unauthorized) is then retried with a new
   * token, up to three times in a row; with a fixed string 4003 is final (`failed`).
   */
  token?: string | (() => string | Promise<string>);
  /**
   * With a `token` function: the fraction of a token's remaining lifetime (from its JWT `exp`,
   * then from each `authed.exp`, read on this client's clock) after which a new token is sent in
   * `auth`. A refused `auth`, or a token function that throws, is tried again halfway to the
   * expiry, twice per connection; after that, and for tokens without `exp`, the server's 4003
   * at expiry makes the client reconnect with a new token. In [0, 1); 0 turns refreshing off.
   * 0.8.
   */
  tokenRefreshAt?: number;
  /**
   * Reconnect delay: uniform in [0, min(backoffCapMs, backoffBaseMs * 2^attempt)] (full jitter),
   * where `attempt` counts the closes since the last connection that lasted `stableAfterMs`; a
   * 4001 or 4029 counts as at least the third. After 1012 (server restarting): uniform in
   * [0, 1 s). 250 ms.
   */
  backoffBaseMs?: number;
  /** Upper bound of the reconnect delay. 10,000 ms. */
  backoffCapMs?: number;
  /** A connection open this long resets the backoff. 30,000 ms. */
  stableAfterMs?: number;
  /**
   * A subscription unanswered this long is given up on: a restore the server did not make is
   * asked for again with `subscribe`; an unanswered `subscribe` replaces the connection
   * (client `error` with code `timeout`). 10,000 ms.
   */
  subscribeTimeoutMs?: number;
  /** Ask the server for `batch` (several messages per frame). true. */
  batch?: boolean;
  /** A socket without `welcome` this long after opening is abandoned. 10,000 ms. */
  connectTimeoutMs?: number;
  /** Overrides the server's `heartbeatMs` for the client's ping and silence detection. */
  heartbeatMs?: number;
  /** Acknowledge a topic at once after this many applied changes. 100. */
  ackEvery?: number;
  /** Otherwise acknowledge topics that moved this often. 1,000 ms. */
  ackIntervalMs?: number;
  /** Requests (subscribe, unsubscribe, ack) per second, under the server's inbound limit. 20. */
  sendRate?: number;
  /** Burst of requests allowed by `sendRate`. 40. */
  sendBurst?: number;
  /** Most topics one client may subscribe (the server's default `maxSubscriptions`). 256. */
  maxTopics?: number;
  /** Keep the last N frames and socket events in `client.trace`, for debugging. 0 (off). */
  traceSize?: number;
  /** Connect on construction (in a microtask). true. */
  autoConnect?: boolean;
  /** Passed to the `SockJS` constructor as its options (e.g. `{ transports: [...] }`). */
  sockjsOptions?: object;
  /** A WebSocket constructor to use instead of the global one (tests, Node). */
  WebSocket?: unknown;
  /** A SockJS constructor to use instead of the global one. */
  SockJS?: unknown;
  /**
   * Time, timers and randomness (tests pass a fake); any field left out is the real one. Every
   * timer and every jitter of the client goes through it.
   */
  clock?: Partial<Clock>;
  /**
   * Where `online`/`offline` events come from: `globalThis` when it has `addEventListener` (a
   * page). Offline, the socket is given up at once and no attempt is made until `online`.
   */
  window?: EventTargetLike;
  /**
   * Where `visibilitychange` comes from (`globalThis.document`): a page shown again probes its
   * socket with a `ping` (replaced if nothing answers in 5 s) or reconnects without waiting.
   */
  document?: EventTargetLike & { readonly visibilityState?: string };
}

/** The clock seam of {@link SlipstreamOptions.clock}. */
export interface Clock {
  now(): number;
  /** In [0, 1). */
  random(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(id: unknown): void;
}

/** The part of `EventTarget` the client uses. */
export interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/**
 * Every `code` of a client `error` event: the server's error codes (docs/protocol.md §9) and
 * the client's own (`protocol`: a message that made no sense; `transport`: no WebSocket or
 * SockJS; `token`: the token function threw or, for a refresh, returned no token; `timeout`: a subscribe went unanswered;
 * `close-<n>`: a close code after which the client stopped, `failed`).
 */
export type ErrorCode =
  // From the server, on the socket (core's ErrorCode enum; `forbidden` from contract 1.1).
  | 'bad-json' | 'bad-message' | 'unknown-type' | 'bad-topic' | 'bad-key' | 'bad-op' | 'bad-row'
  | 'bad-position' | 'hello-required' | 'already-hello' | 'binary-not-supported'
  | 'not-subscribed' | 'too-many-subscriptions' | 'topic-limit' | 'rate-limited'
  | 'unauthorized' | 'forbidden' | 'too-large' | 'internal'
  // From the client itself.
  | 'protocol' | 'transport' | 'token' | 'timeout'
  | 'close-1009' | 'close-4003' | 'close-4004';

/** One change applied to a topic's rows. */
export interface ChangeEvent<R extends Row = Row> {
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  key: string;
  /** The new row; undefined for DELETE. */
  row: R | undefined;
  /** The row before the change, if there was one. */
  prev: R | undefined;
  epoch: string;
  seq: number;
  /**
   * Publish time, ms since the Unix epoch; for a snapshot row, when that row was last published
   * (undefined if the server did not say).
   */
  ts: number | undefined;
  /**
   * True for the rows of a snapshot, reported as INSERTs after the whole snapshot replaced the
   * rows. Keys that a new snapshot no longer has get no event: state derived from changes must
   * be rebuilt on `snapshot`.
   */
  snapshot: boolean;
}

export interface TopicEvents<R extends Row = Row> {
  /** Every change applied, snapshot rows included (see `ChangeEvent.snapshot`). */
  change: ChangeEvent<R>;
  /** A snapshot replaced the rows wholesale. */
  snapshot: { epoch: string; seq: number; size: number };
  /** The rows changed (once per change, once per snapshot): re-render here. */
  update: Topic<R>;
  /** The server (re)started the subscription. */
  subscribed: { epoch: string; seq: number; mode: 'snapshot' | 'replay' };
  /** History was discontinuous; a snapshot follows and will replace the rows. */
  reset: { reason: string };
  /** The server dropped changes (slow consumer); the client is healing the gap. */
  gap: { from: number; to: number; count: number; reason: string };
  /** Under the `conflate` policy, intermediate updates were replaced by later values. */
  conflated: { count: number };
  state: TopicState;
  /** The server refused the subscription; the topic is closed. */
  error: { code: ErrorCode; message: string };
}

/** A subscribed topic: a live table. */
export interface Topic<R extends Row = Row> {
  readonly name: string;
  /** The rows by key: always exactly the topic's state at `position`. Do not modify. */
  readonly rows: Map<string, R>;
  /** The last change applied, or null before the first snapshot. A copy. */
  readonly position: Position | null;
  readonly state: TopicState;
  /** Resolves once the first snapshot (or replay) is applied; rejects if the topic closes first. */
  readonly ready: Promise<Topic<R>>;
  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof TopicEvents<R>>(event: E, listener: (payload: TopicEvents<R>[E]) => void): () => void;
  once<E extends keyof TopicEvents<R>>(event: E, listener: (payload: TopicEvents<R>[E]) => void): () => void;
  off<E extends keyof TopicEvents<R>>(event: E, listener: (payload: TopicEvents<R>[E]) => void): void;
  /** Ends the subscription and forgets it. Idempotent. */
  unsubscribe(): void;
}

/** Counters for debugging and tests; they only grow. */
export interface SlipstreamStats {
  /** Welcomes received (connections that got as far as a session). */
  connects: number;
  /** Welcomes after the first one. */
  reconnects: number;
  /** Welcomes with `resumed: true`. */
  resumes: number;
  /** Changes ignored because their seq was at or below the topic's position. */
  duplicatesDropped: number;
  /** Re-subscriptions from the position to recover missing changes. */
  gapsHealed: number;
  /** Snapshots that replaced a topic's existing rows. */
  resets: number;
  /** Seq jumps the server did not announce with `dropped` (should stay 0). */
  unannouncedGaps: number;
  /** Messages that made no sense in their topic's state; the topic was re-subscribed. */
  violations: number;
  /** Changes applied, snapshot rows not counted. */
  changesApplied: number;
  messagesIn: number;
  messagesOut: number;
}

export interface ClientEvents {
  state: ConnectionState;
  welcome: { session: string; resumed: boolean; heartbeatMs: number; buffer: unknown };
  /** A socket ended; `code` 4000 is this client giving up on a silent socket. */
  disconnect: { code: number; reason: string };
  /** The server's buffer for this client passed its warning fill. */
  warning: { fill: number; pending: number; max: number };
  /** A server `error` message, or a problem found by the client (see {@link ErrorCode}). */
  error: { code: ErrorCode; message: string; id?: string | number; topic?: string };
  /** The server took the token sent in `auth`; `exp` (seconds) is absent if it never expires. */
  authed: { exp?: number };
  /** Every message received, before it is handled. */
  message: { type: string; [field: string]: unknown };
}

export interface TraceEntry {
  t: number;
  dir: 'in' | 'out' | 'event';
  text: string;
}

export declare class Slipstream {
  constructor(options?: SlipstreamOptions);
  readonly options: Readonly<Required<Pick<SlipstreamOptions, 'url' | 'transport' | 'clientId'>>> & Readonly<SlipstreamOptions>;
  readonly state: ConnectionState;
  /** The server's session id, once welcomed. */
  readonly session: string | null;
  readonly stats: Readonly<SlipstreamStats>;
  /** The transport in use or about to be used. */
  readonly transport: Transport;
  /** The subscribed topics by name (a copy). */
  readonly topics: Map<string, Topic>;
  /** The last `traceSize` frames and socket events, oldest first. */
  readonly trace: TraceEntry[];
  /**
   * Subscribes, or returns the existing subscription of that name. Throws on a bad name or
   * beyond `maxTopics`. In any state: a topic of a client not connected waits for `connect()`.
   */
  subscribe<R extends Row = Row>(topic: string): Topic<R>;
  /**
   * Opens the connection (done by the constructor unless `autoConnect: false`); after `failed`
   * or `closed`, opens it again (a failure keeps the topics). No-op while connecting or open.
   */
  connect(): void;
  /** Closes: no reconnect until `connect()`; every topic closes. Idempotent. */
  close(): void;
  on<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): () => void;
  once<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): () => void;
  off<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): void;
}
