// Test doubles for the client's unit tests: fake time and scripted sockets, so that every
// reconnect path runs in milliseconds of real time and in a fixed order.

/** Lets pending promise callbacks and I/O callbacks run: the client awaits its token provider. */
export async function settle() {
  for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock the test moves by hand (the client's `clock` option). Timers run in due order while
 * `advance` moves time; `random` returns the values queued with `randoms`, then `randomDefault`.
 */
export class FakeClock {
  constructor(start = 1_000_000) {
    this.t = start;
    this.timers = new Map();
    this.nextId = 1;
    this.queued = [];
    this.randomDefault = 0.5;
    this.now = () => this.t;
    this.random = () => (this.queued.length > 0 ? this.queued.shift() : this.randomDefault);
    this.setTimeout = (fn, ms) => this._add(fn, ms, 0);
    this.setInterval = (fn, ms) => this._add(fn, ms, Math.max(1, ms));
    this.clearTimeout = (id) => this.timers.delete(id);
    this.clearInterval = (id) => this.timers.delete(id);
  }

  randoms(...values) {
    this.queued.push(...values);
  }

  _add(fn, ms, every) {
    // As in browsers and Node: a delay beyond 2^31 - 1 ms overflows and the timer fires at once.
    if (ms > 2 ** 31 - 1) ms = 1;
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, Number(ms) || 0), fn, every, seq: id });
    return id;
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  async advance(ms) {
    const end = this.t + ms;
    await settle();
    for (;;) {
      let nextId = 0;
      let next = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (next === null || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) {
          next = timer;
          nextId = id;
        }
      }
      if (next === null) break;
      this.t = Math.max(this.t, next.at);
      if (next.every > 0) {
        next.at += next.every;
      } else {
        this.timers.delete(nextId);
      }
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/**
 * A scripted WebSocket server: `network.WebSocket` (and `network.SockJS`) are constructors for
 * the client's options; each socket the client opens is recorded, and the test plays the
 * server's part on it.
 */
export class FakeNetwork {
  constructor() {
    this.sockets = [];
    const network = this;
    class FakeWebSocket {
      constructor(url) {
        this.kind = 'websocket';
        this.url = url;
        this.sent = [];
        this.closedBy = null;
        this.onopen = null;
        this.onmessage = null;
        this.onclose = null;
        this.onerror = null;
        network.sockets.push(this);
      }

      send(text) {
        if (this.closedBy !== null) throw new Error('socket closed');
        this.sent.push(JSON.parse(text));
      }

      close(code, reason) {
        if (this.closedBy === null) this.closedBy = { code, reason };
      }
    }
    Object.assign(FakeWebSocket.prototype, serverSide);
    class FakeSockJS extends FakeWebSocket {
      constructor(url) {
        super(url);
        this.kind = 'sockjs';
      }
    }
    this.WebSocket = FakeWebSocket;
    this.SockJS = FakeSockJS;
  }

  /** The socket the client opened last. */
  last() {
    return this.sockets[this.sockets.length - 1];
  }
}

/** What the test does as the server, on one socket. */
const serverSide = {
  /** Opens the socket; the client answers with `hello`. */
  accept() {
    this.onopen();
    return this.sent[0];
  },
  /** Opens and welcomes; returns the client's `hello`. */
  welcome(fields = {}) {
    const hello = this.accept();
    this.deliver({
      type: 'welcome', session: 's1', resume: `r${Math.random()}`, resumed: false, heartbeatMs: 15_000,
      buffer: { max: 100, maxBytes: 1 << 20, warn: 0.8, disconnect: 0.95, policy: 'drop-oldest' },
      ...fields,
    });
    return hello;
  },
  /** Sends one message, or an array of them in one frame (`batch`). */
  deliver(message) {
    this.onmessage({ data: JSON.stringify(message) });
  },
  /** The server's answer to a subscription: `subscribed` and a snapshot of `rows` at `seq`. */
  snapshot(topic, epoch, seq, rows, id) {
    this.deliver({ type: 'subscribed', id, topic, epoch, seq, mode: 'snapshot' });
    this.deliver({ type: 'snapshot', topic, epoch, seq, phase: 'begin', size: Object.keys(rows).length });
    for (const [key, row] of Object.entries(rows)) {
      this.deliver({ type: 'change', topic, epoch, seq, op: 'INSERT', key, row, ts: 1_000 + seq, snapshot: true });
    }
    this.deliver({ type: 'snapshot', topic, epoch, seq, phase: 'end' });
  },
  change(topic, epoch, seq, key, row) {
    const op = row === undefined ? 'DELETE' : 'UPDATE';
    this.deliver({ type: 'change', topic, epoch, seq, op, key, row, ts: 1 });
  },
  /** The socket ends with this close code (before it opened, if never accepted). */
  drop(code = 1006, reason = '') {
    this.onclose({ code, reason });
  },
  /** Messages the client sent of one type. */
  sentOf(type) {
    return this.sent.filter((m) => m.type === type);
  },
};

/** The parts of `window` and `document` the client listens to. */
export class FakePage {
  constructor() {
    this.window = new EventTarget();
    this.document = new EventTarget();
    this.document.visibilityState = 'visible';
  }

  goOffline() {
    this.window.dispatchEvent(new Event('offline'));
  }

  goOnline() {
    this.window.dispatchEvent(new Event('online'));
  }

  setVisible(visible) {
    this.document.visibilityState = visible ? 'visible' : 'hidden';
    this.document.dispatchEvent(new Event('visibilitychange'));
  }
}

/**
 * Advances time in small steps until the client opens another socket; returns how long that
 * took, or Infinity if it did not happen within `limitMs`.
 */
export async function timeToNextSocket(network, clock, limitMs = 30_000, stepMs = 10) {
  const count = network.sockets.length;
  const start = clock.t;
  while (clock.t - start < limitMs) {
    await clock.advance(stepMs);
    if (network.sockets.length > count) return clock.t - start;
  }
  return Infinity;
}
