// In Node 20 (no global WebSocket) the client finds the `ws` package by itself: a real socket
// over loopback to a ws server that plays a minimal Slipstream server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { Slipstream } from '../src/slipstream.js';

test('connects through ws when there is no global WebSocket', async (t) => {
  // Node 20 has no global WebSocket; where a later Node has one, hide it for this test.
  const global = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
  if (global) {
    Object.defineProperty(globalThis, 'WebSocket', { value: undefined, configurable: true, writable: true });
    t.after(() => Object.defineProperty(globalThis, 'WebSocket', global));
  }
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  await once(server, 'listening');
  server.on('connection', (socket, request) => {
    assert.equal(request.url, '/ws');
    socket.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'hello') {
        socket.send(JSON.stringify({ type: 'welcome', session: 's', resume: 'r', resumed: false, heartbeatMs: 15000, buffer: {} }));
        socket.send(JSON.stringify([
          { type: 'subscribed', topic: 'orders', epoch: 'e', seq: 1, mode: 'snapshot' },
          { type: 'snapshot', topic: 'orders', epoch: 'e', seq: 1, phase: 'begin', size: 1 },
          { type: 'change', topic: 'orders', epoch: 'e', seq: 1, op: 'INSERT', key: 'a', row: { v: 1 }, snapshot: true },
          { type: 'snapshot', topic: 'orders', epoch: 'e', seq: 1, phase: 'end' },
        ]));
      }
    });
  });
  const client = new Slipstream({ url: `http://127.0.0.1:${server.address().port}` });
  t.after(() => client.close());
  const orders = client.subscribe('orders');
  await orders.ready;
  assert.equal(client.state, 'open');
  assert.deepEqual(orders.rows.get('a'), { v: 1 });
});
