// What the client (slipstream.js) sends besides hello and pings: subscribes and unsubscribes,
// paced by a token bucket under the server's inbound rate limit, and cumulative acks.
// Single-threaded like all of the client; bounded by the client's topics (one queued request
// per topic name, one in flight per request id of a topic that still wants it).

export class Requests {
  constructor(client) {
    this._client = client;
    /** Request id -> {topic, kind}: what an `error` or `subscribed` with that id answers. */
    this.inflight = new Map();
    /** Topic name -> 'subscribe' | 'unsubscribe', in request order. */
    this._ops = new Map();
    this._tokens = client.options.sendBurst;
    this._tokensAt = client._clock.now();
    this._nextId = 0;
    this._timer = 0;
  }

  /** Asks for `kind` on `name` once connected; nothing is queued while offline. */
  queue(name, kind) {
    if (!this._client._welcomed) return; // re-derived from state at the next welcome
    this._ops.set(name, kind);
    this.pump();
  }

  /** Withdraws a request not sent yet. */
  withdraw(name) {
    this._ops.delete(name);
  }

  /** The connection is gone: whatever was queued or in flight is void. */
  clear() {
    this._client._clock.clearTimeout(this._timer);
    this._timer = 0;
    this.inflight.clear();
    this._ops.clear();
  }

  /**
   * Sends queued subscribes and unsubscribes no faster than `sendRate` (token bucket), so that
   * re-subscribing many topics after a reconnect never trips the server's inbound rate limit.
   */
  pump() {
    const c = this._client;
    c._clock.clearTimeout(this._timer);
    this._timer = 0;
    if (!c._welcomed) return;
    this._refill();
    for (const [name, kind] of this._ops) {
      if (this._tokens < 1) break;
      this._ops.delete(name);
      this._tokens--;
      const id = ++this._nextId;
      if (kind === 'unsubscribe') {
        this.inflight.set(id, { topic: name, kind });
        c._write({ type: 'unsubscribe', id, topic: name });
        continue;
      }
      const topic = c._topics.get(name);
      if (topic === undefined) continue;
      // A subscribe replaced by a newer one may never be answered: forget it now.
      this.inflight.delete(topic._requestId);
      this.inflight.set(id, { topic: name, kind });
      topic._requestId = id;
      topic._pending = id;
      topic._sentAt = c._clock.now();
      topic._serverKnows = true;
      const from = topic._takeFrom();
      c._write(from === undefined ? { type: 'subscribe', id, topic: name } : { type: 'subscribe', id, topic: name, from });
    }
    if (this._ops.size > 0) {
      const wait = Math.ceil(((1 - this._tokens) / c.options.sendRate) * 1000);
      this._timer = c._clock.setTimeout(() => this.pump(), Math.max(10, wait));
    }
  }

  _refill() {
    const now = this._client._clock.now();
    const o = this._client.options;
    this._tokens = Math.min(o.sendBurst, this._tokens + ((now - this._tokensAt) * o.sendRate) / 1000);
    this._tokensAt = now;
  }

  /** A topic applied something: acknowledge at once if enough piled up, else on the timer. */
  ackDue(topic) {
    if (topic._sinceAck >= this._client.options.ackEvery) this.flushAcks(true);
  }

  /**
   * Sends cumulative acks for established topics that moved. Acks are state, not requests: one
   * that finds no send budget is simply taken by a later flush.
   */
  flushAcks(onlyDue) {
    const c = this._client;
    if (!c._welcomed) return;
    for (const topic of c._topics.values()) {
      const p = topic._position;
      if (topic._pending !== undefined || p === null || p.seq === topic._ackedSeq) continue;
      if (onlyDue && topic._sinceAck < c.options.ackEvery) continue;
      if (this._ops.size > 0) return; // requests first
      this._refill();
      if (this._tokens < 1) return;
      this._tokens--;
      topic._ackedSeq = p.seq;
      topic._sinceAck = 0;
      c._write({ type: 'ack', topic: topic.name, seq: p.seq });
    }
  }
}
