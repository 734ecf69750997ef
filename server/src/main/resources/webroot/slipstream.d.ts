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

/** `idle` until `connect()`; `open` once welcomed; `failed` and `closed` are final. */
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
   * SockJS for good after two WebSocket attempts in a row failed to open, if SockJS is loaded.
   */
  transport?: Transport | 'auto';
  /** Sent in `hello`; shows in `/api/connections`. A random id by default. */
  clientId?: string;
  /** A JWT for servers with `jwtSecret`; a function is called before every connection attempt. */
  token?: string | (() => string | Promise<string>);
  /** Reconnect delay: uniform in [0, min(backoffCapMs, backoffBaseMs * 2^attempt)]. 250 ms. */
  backoffBaseMs?: number;
  /** Upper bound of the reconnect delay. 10,000 ms. */
  backoffCapMs?: number;
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
}

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
  /** Publish time, ms since the Unix epoch; undefined for snapshot rows. */
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
  error: { code: string; message: string };
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
  /** A server `error` message, or a problem found by the client (`protocol`, `transport`). */
  error: { code: string; message: string; id?: string | number; topic?: string };
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
  /** Subscribes, or returns the existing subscription of that name. Throws on a bad name. */
  subscribe<R extends Row = Row>(topic: string): Topic<R>;
  /** Opens the connection (done by the constructor unless `autoConnect: false`). */
  connect(): void;
  /** Closes for good: no reconnect, every topic closes. Idempotent. */
  close(): void;
  on<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): () => void;
  once<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): () => void;
  off<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): void;
}
