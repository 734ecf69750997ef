// The reconnect paths of issue 11, each against a scripted socket on fake time. Every test's
// doc names the bug it pins down (what the client did before the fix).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connected, setup, settle } from './harness.mjs';
import { timeToNextSocket } from './fakes.mjs';

test('auto transport tries WebSocket again after websocketRetryMs (bug: SockJS for the rest of the page)', async () => {
  const { client, clock, net } = await connected({ transport: 'auto', websocketRetryMs: 60_000 });
  assert.equal(net.last().kind, 'websocket');
  net.last().drop(1006); // a server restart: WebSocket fails to open twice
  await timeToNextSocket(net, clock);
  assert.equal(net.last().kind, 'websocket');
  net.last().drop(1006);
  await timeToNextSocket(net, clock);
  assert.equal(net.last().kind, 'sockjs', 'falls back after two WebSocket failures');
  net.last().welcome();
  await clock.advance(61_000);
  net.last().deliver({ type: 'pong' });
  net.last().drop(1006);
  await timeToNextSocket(net, clock);
  assert.equal(net.last().kind, 'websocket', 'WebSocket is tried again once websocketRetryMs passed');
  assert.equal(client.transport, 'websocket');
});

test('4003 with a token function fetches a new token and reconnects (bug: final)', async () => {
  let calls = 0;
  const { client, clock, net } = await connected({ token: () => `t${++calls}` });
  assert.equal(net.last().accept().token, 't1');
  net.last().drop(4003, 'unauthorized');
  assert.notEqual(client.state, 'failed');
  await timeToNextSocket(net, clock);
  assert.equal(net.last().welcome().token, 't2');
  assert.equal(client.state, 'open');
});

test('4003 again and again with a token function gives up after three retries', async () => {
  const { client, clock, net } = await connected({ token: async () => 'bad' });
  for (let i = 0; i < 4; i++) {
    net.last().accept();
    net.last().drop(4003, 'unauthorized');
    if (i < 3) assert.ok(Number.isFinite(await timeToNextSocket(net, clock)), `retry ${i + 1}`);
  }
  assert.equal(client.state, 'failed');
  assert.equal(await timeToNextSocket(net, clock, 20_000), Infinity);
});

test('connect() works again after a final close and keeps the topics (bug: refused, topics closed)', async () => {
  const { client, net } = await connected({ token: 'fixed' });
  const orders = client.subscribe('orders');
  const hello = net.last().welcome();
  assert.deepEqual(Object.keys(hello.positions), ['orders']);
  net.last().snapshot('orders', 'e1', 3, { a: { v: 1 } });
  net.last().drop(4003, 'unauthorized');
  assert.equal(client.state, 'failed');
  assert.equal(orders.state, 'offline');
  client.connect();
  await settle();
  assert.equal(client.state, 'connecting');
  const again = net.last().welcome();
  assert.deepEqual(again.positions, { orders: { epoch: 'e1', seq: 3 } });
  assert.equal(client.topics.get('orders'), orders);
  assert.equal(orders.rows.get('a').v, 1);
});

test('1012 waits a random 0 to 1 s before reconnecting (bug: at once, a storm)', async () => {
  const { clock, net } = await connected();
  net.last().welcome();
  clock.randoms(0.7);
  net.last().drop(1012, 'server restarting');
  const waited = await timeToNextSocket(net, clock, 5_000, 10);
  assert.ok(waited >= 700 && waited <= 710, `waited ${waited} ms`);
});

test('1012 delays are spread over the second across clients', async () => {
  const delays = [];
  for (const r of [0.05, 0.5, 0.95]) {
    const { clock, net } = await connected();
    net.last().welcome();
    clock.randoms(r);
    net.last().drop(1012);
    delays.push(await timeToNextSocket(net, clock, 5_000, 10));
  }
  assert.ok(delays[0] <= 60 && delays[1] >= 500 && delays[1] <= 510 && delays[2] >= 950, String(delays));
});

test('a SockJS 3000 without a close message counts as 4001 (bug: taken as a plain 3000)', async () => {
  const { clock, net, events } = await connected({ transport: 'sockjs' });
  net.last().welcome();
  clock.randomDefault = 0.99;
  net.last().drop(3000, 'Go away!');
  const disconnect = events.filter((e) => e.name === 'disconnect').pop();
  assert.equal(disconnect.payload.code, 4001);
  // 4001 waits at least as long as a third attempt: up to 1 s, here 990 ms.
  assert.ok((await timeToNextSocket(net, clock)) >= 990);
});

test('a SockJS 3000 after a close message takes the message code', async () => {
  const { net, events } = await connected({ transport: 'sockjs' });
  net.last().welcome();
  net.last().deliver({ type: 'close', code: 1012, reason: 'server restarting' });
  net.last().drop(3000, 'Go away!');
  assert.equal(events.filter((e) => e.name === 'disconnect').pop().payload.code, 1012);
});

test('repeated 4001 backs off exponentially, reset after a stable period (bug: <= 1 s forever)', async () => {
  const { clock, net } = await connected({ backoffBaseMs: 250, backoffCapMs: 10_000, stableAfterMs: 30_000 });
  clock.randomDefault = 0.999;
  const delays = [];
  for (let i = 0; i < 6; i++) {
    net.last().welcome({ heartbeatMs: 120_000 });
    await clock.advance(5_000); // slow for sustainMs, then closed
    net.last().drop(4001, 'slow consumer');
    delays.push(await timeToNextSocket(net, clock, 20_000, 10));
  }
  for (let i = 1; i < 4; i++) assert.ok(delays[i] > delays[i - 1] * 1.5, `grows: ${delays}`);
  assert.ok(delays[5] > 9_000, `reaches the cap: ${delays}`);
  net.last().welcome({ heartbeatMs: 120_000 });
  await clock.advance(31_000); // stable
  net.last().drop(4001, 'slow consumer');
  assert.ok((await timeToNextSocket(net, clock)) <= 1_000, 'starts over after a stable period');
});

test('full jitter: a 4001 delay may be anywhere from 0', async () => {
  const { clock, net } = await connected();
  net.last().welcome();
  clock.randoms(0);
  net.last().drop(4001);
  assert.ok((await timeToNextSocket(net, clock)) <= 10);
});

test('a throwing listener never kills the process and the others still run (bug: rethrown from setTimeout)', async () => {
  const logged = [];
  const original = console.error;
  console.error = (...args) => logged.push(args);
  try {
    const { client, clock, net } = setup();
    const seen = [];
    client.on('state', () => {
      throw new Error('app bug');
    });
    client.on('state', (s) => seen.push(s));
    const topic = client.subscribe('orders');
    topic.on('update', () => {
      throw new Error('render bug');
    });
    client.connect();
    await settle();
    net.last().welcome();
    net.last().snapshot('orders', 'e', 1, { k: { v: 1 } });
    await clock.advance(1_000); // a rethrow from a timer would surface here, as an uncaught error
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, ['connecting', 'open']);
    assert.equal(topic.state, 'streaming');
    assert.ok(logged.some((args) => args.some((a) => a instanceof Error && a.message === 'app bug')));
    assert.ok(logged.some((args) => args.some((a) => a instanceof Error && a.message === 'render bug')));
  } finally {
    console.error = original;
  }
});

test('reportError gets a listener exception where it exists', async () => {
  const reported = [];
  globalThis.reportError = (err) => reported.push(err);
  try {
    const { client } = setup();
    client.on('state', () => {
      throw new Error('boom');
    });
    client.connect();
    await settle();
    assert.equal(reported[0].message, 'boom');
  } finally {
    delete globalThis.reportError;
  }
});

test('offline gives the socket up at once and waits for online (bug: ~30 s to notice, retries offline)', async () => {
  const { client, clock, net, page } = await connected();
  net.last().welcome();
  const sock = net.last();
  page.goOffline();
  assert.equal(sock.closedBy.code, 4000);
  assert.equal(client.state, 'reconnecting');
  assert.equal(await timeToNextSocket(net, clock, 60_000, 100), Infinity, 'no attempt while offline');
  page.goOnline();
  await settle();
  assert.equal(net.sockets.length, 2, 'reconnects as soon as the network is back');
});

test('online while connected probes the socket and replaces it if it does not answer', async () => {
  const { clock, net, page } = await connected();
  net.last().welcome();
  const sock = net.last();
  page.goOnline();
  assert.equal(sock.sentOf('ping').length, 1);
  await clock.advance(5_000);
  assert.equal(sock.closedBy.code, 4000);
});

test('a page shown again probes its socket; an answer keeps it', async () => {
  const { clock, net, page } = await connected();
  net.last().welcome();
  const sock = net.last();
  page.setVisible(false);
  page.setVisible(true);
  assert.equal(sock.sentOf('ping').length, 1);
  await clock.advance(100);
  sock.deliver({ type: 'pong' });
  await clock.advance(5_000);
  assert.equal(sock.closedBy, null);
});

test('a page shown again reconnects at once instead of waiting out the backoff', async () => {
  const { clock, net, page } = await connected({ backoffBaseMs: 10_000, backoffCapMs: 60_000 });
  clock.randomDefault = 0.99;
  net.last().drop(1006);
  await clock.advance(100);
  assert.equal(net.sockets.length, 1);
  page.setVisible(true);
  await settle();
  assert.equal(net.sockets.length, 2);
});

test('an unanswered subscribe times out and the connection is replaced (bug: subscribing forever)', async () => {
  const { client, clock, net, events } = await connected({ subscribeTimeoutMs: 10_000 });
  net.last().welcome();
  const sock = net.last();
  const topic = client.subscribe('orders');
  assert.equal(sock.sentOf('subscribe').length, 1);
  await clock.advance(9_000);
  assert.equal(sock.closedBy, null);
  await clock.advance(2_000);
  assert.equal(topic.state, 'offline');
  assert.equal(sock.closedBy.code, 4000);
  assert.ok(events.some((e) => e.name === 'error' && e.payload.code === 'timeout' && e.payload.topic === 'orders'));
  assert.ok(Number.isFinite(await timeToNextSocket(net, clock)));
});

test('a restore the server did not make is asked for with a subscribe', async () => {
  const { client, clock, net } = await connected({ subscribeTimeoutMs: 10_000 });
  client.subscribe('orders');
  net.last().welcome();
  assert.equal(net.last().sentOf('subscribe').length, 0);
  await clock.advance(11_000);
  assert.deepEqual(net.last().sentOf('subscribe').map((m) => m.topic), ['orders']);
});

test('every topic goes in hello.positions, on a fresh session too (bug: one subscribe each)', async () => {
  const { client, clock, net } = await connected();
  const names = Array.from({ length: 256 }, (_, i) => `t${i}`);
  for (const name of names) client.subscribe(name);
  const hello = net.last().welcome();
  assert.equal(Object.keys(hello.positions).length, 256);
  assert.deepEqual(hello.positions.t0, { epoch: '', seq: 0 });
  assert.ok(JSON.stringify(hello).length < 64 * 1024, 'fits the default maxFrameBytes');
  for (const name of names) net.last().snapshot(name, 'e', 5, { k: { v: name } });
  assert.equal(net.last().sentOf('subscribe').length, 0);
  assert.ok([...client.topics.values()].every((t) => t.state === 'streaming'));
  net.last().drop(1012);
  await timeToNextSocket(net, clock);
  const again = net.last().welcome();
  assert.deepEqual(again.positions.t255, { epoch: 'e', seq: 5 });
  assert.equal(again.resume === undefined, false);
});

test('a topic without rows named at no position gets no reset event', async () => {
  const { client, net } = await connected();
  const topic = client.subscribe('orders');
  const resets = [];
  topic.on('reset', (r) => resets.push(r));
  net.last().welcome();
  net.last().deliver({ type: 'reset', topic: 'orders', reason: 'epoch-changed' });
  net.last().snapshot('orders', 'e', 2, { a: { v: 1 } });
  assert.deepEqual(resets, []);
  assert.equal(topic.rows.size, 1);
});

test('hello asks for batch, and a batched frame is applied in order (bug: never asked)', async () => {
  const { client, net } = await connected();
  const topic = client.subscribe('orders');
  assert.equal(net.last().welcome().batch, true);
  net.last().snapshot('orders', 'e', 1, { a: { v: 1 } });
  net.last().deliver([
    { type: 'change', topic: 'orders', epoch: 'e', seq: 2, op: 'UPDATE', key: 'a', row: { v: 2 }, ts: 1 },
    { type: 'change', topic: 'orders', epoch: 'e', seq: 3, op: 'INSERT', key: 'b', row: { v: 3 }, ts: 1 },
  ]);
  assert.deepEqual(topic.position, { epoch: 'e', seq: 3 });
  assert.equal(topic.rows.get('a').v, 2);
  assert.equal(topic.rows.get('b').v, 3);
});

test('batch: false leaves it out', async () => {
  const { net } = await connected({ batch: false });
  assert.equal(net.last().welcome().batch, undefined);
});

test('hello.positions stays within the server bounds; the other topics are subscribed one by one', async () => {
  const { client, clock, net } = await connected({ maxTopics: 1_500, sendRate: 1_000, sendBurst: 2_000 });
  for (let i = 0; i < 1_500; i++) client.subscribe(`topic-with-a-longer-name-${i}`);
  const hello = net.last().welcome();
  const named = Object.keys(hello.positions).length;
  assert.ok(named <= 1_024, `${named} topics named`);
  assert.ok(JSON.stringify(hello).length < 64 * 1024, 'fits the default maxFrameBytes');
  await clock.advance(10);
  assert.equal(net.last().sentOf('subscribe').length, 1_500 - named);
});
