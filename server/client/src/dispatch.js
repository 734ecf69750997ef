// What the client (slipstream.js) does with each message from the server: connection-level
// messages here, topic messages handed to their Topic. Single-threaded like all of the client.

/**
 * Handles one server message. Messages of a topic the client does not hold are dropped, except a
 * restored `subscribed`, which is answered with `unsubscribe`.
 */
export function dispatch(c, m) {
  if (m === null || typeof m !== 'object') return;
  c._emit('message', m);
  switch (m.type) {
    case 'welcome':
      if (!c._welcomed) c._onWelcome(m);
      return;
    case 'ping':
      c._write({ type: 'pong' });
      return;
    case 'pong':
      return;
    case 'authed':
      c._refresh.onAuthed(m);
      return;
    case 'close':
      // The server's close code, sent ahead of the close itself by transports that cannot
      // carry one; it decides how we come back once the socket actually closes.
      if (c._sock !== null && typeof m.code === 'number') {
        c._sock.closeMessage = { code: m.code, reason: String(m.reason || '') };
      }
      return;
    case 'warning':
      c._emit('warning', { fill: m.fill, pending: m.pending, max: m.max });
      return;
    case 'error':
      onError(c, m);
      return;
    case 'unsubscribed':
      c._requests.inflight.delete(m.id);
      return;
    default:
      break;
  }
  if (typeof m.topic !== 'string') return;
  const topic = c._topics.get(m.topic);
  if (m.type === 'subscribed') {
    c._requests.inflight.delete(m.id);
    if (topic === undefined) {
      // A resumed session restored a topic we have let go of since.
      c._requests.queue(m.topic, 'unsubscribe');
      return;
    }
  }
  if (topic !== undefined) topic._onMessage(m);
}

function onError(c, m) {
  // A refused `auth` (its ids are strings, never a request's): the old token stays in force
  // until it expires, then 4003; the refresh tries again meanwhile.
  c._refresh.onError(m);
  const request = m.id === undefined ? undefined : c._requests.inflight.get(m.id);
  c._requests.inflight.delete(m.id);
  c._emit('error', { code: m.code, message: m.message, id: m.id, topic: request && request.topic });
  if (request === undefined) return;
  const topic = c._topics.get(request.topic);
  if (m.code === 'rate-limited') {
    // Not processed: ask again, paced by our own limiter.
    if (request.kind === 'unsubscribe' && topic === undefined) c._requests.queue(request.topic, 'unsubscribe');
    if (request.kind === 'subscribe' && topic !== undefined && topic._pending === m.id) topic._resubscribe(false);
    return;
  }
  if (request.kind === 'subscribe' && topic !== undefined && topic._pending === m.id) {
    c._topics.delete(topic.name);
    topic._emit('error', { code: m.code, message: m.message });
    topic._close(`${m.code}: ${m.message}`);
  }
}
