// One subscribed topic of the client (slipstream.js): its table, its position and the state of
// its subscription. Single-threaded like all of the client.
import { Emitter } from './emitter.js';

/** `topic._pending` while a subscribe is wanted but not yet sent: everything is stale. */
export const QUEUED = Symbol('queued');
/** `topic._pending` while a resumed session is expected to restore the subscription. */
export const RESTORE = Symbol('restore');

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
    this._client._requests.queue(this.name, 'subscribe');
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
      this._client._requests.ackDue(this);
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
    this._client._requests.ackDue(this);
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
    this._client._requests.ackDue(this);
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
