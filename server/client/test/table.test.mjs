// The table a topic keeps, against a scripted server: gaps healed, resets replacing the rows
// only when complete, duplicates dropped, warnings, unsubscribe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connected } from './harness.mjs';
import { timeToNextSocket } from './fakes.mjs';

async function streaming(rows = { a: { v: 1 } }, seq = 1) {
  const env = await connected();
  const topic = env.client.subscribe('orders');
  env.net.last().welcome();
  env.net.last().snapshot('orders', 'e', seq, rows);
  assert.equal(topic.state, 'streaming');
  return { ...env, topic, sock: env.net.last() };
}

test('dropped heals the gap by subscribing from the position', async () => {
  const { topic, sock } = await streaming();
  const gaps = [];
  topic.on('gap', (g) => gaps.push(g));
  sock.change('orders', 'e', 2, 'a', { v: 2 });
  sock.deliver({ type: 'dropped', topic: 'orders', from: 3, to: 5, count: 3, reason: 'buffer' });
  sock.change('orders', 'e', 6, 'a', { v: 6 }); // ignored: the subscription is restarting
  assert.deepEqual(gaps, [{ from: 3, to: 5, count: 3, reason: 'buffer' }]);
  const resubscribe = sock.sentOf('subscribe').pop();
  assert.deepEqual(resubscribe.from, { epoch: 'e', seq: 2 });
  assert.equal(topic.rows.get('a').v, 2);
  sock.deliver({ type: 'subscribed', id: resubscribe.id, topic: 'orders', epoch: 'e', seq: 2, mode: 'replay' });
  for (let seq = 3; seq <= 6; seq++) sock.change('orders', 'e', seq, 'a', { v: seq });
  assert.deepEqual(topic.position, { epoch: 'e', seq: 6 });
  assert.equal(topic.rows.get('a').v, 6);
});

test('snapshot rows keep their ts in their change events', async () => {
  const { client, net } = await connected();
  const topic = client.subscribe('orders');
  const events = [];
  topic.on('change', (c) => events.push(c));
  net.last().welcome();
  net.last().snapshot('orders', 'e', 4, { a: { v: 1 }, b: { v: 2 } });
  assert.deepEqual(events.map((c) => [c.key, c.ts, c.snapshot]), [['a', 1004, true], ['b', 1004, true]]);
  net.last().change('orders', 'e', 5, 'a', { v: 3 });
  assert.deepEqual([events[2].ts, events[2].snapshot, events[2].prev], [1, false, { v: 1 }]);
});

test('an unannounced seq jump is healed and counted', async () => {
  const { client, topic, sock } = await streaming();
  sock.change('orders', 'e', 3, 'a', { v: 3 });
  assert.equal(client.stats.unannouncedGaps, 1);
  assert.deepEqual(sock.sentOf('subscribe').pop().from, { epoch: 'e', seq: 1 });
  assert.equal(topic.rows.get('a').v, 1);
});

test('duplicates at or below the position are dropped', async () => {
  const { client, topic, sock } = await streaming({ a: { v: 1 } }, 4);
  sock.change('orders', 'e', 4, 'a', { v: 99 });
  sock.change('orders', 'e', 3, 'a', { v: 98 });
  assert.equal(topic.rows.get('a').v, 1);
  assert.equal(client.stats.duplicatesDropped, 2);
});

test('reset: the rows stay consistent until the new snapshot is complete, then are replaced', async () => {
  const { topic, sock } = await streaming({ a: { v: 1 }, b: { v: 1 } }, 7);
  const seen = [];
  topic.on('update', () => seen.push([...topic.rows.keys()].join(',')));
  const resets = [];
  topic.on('reset', (r) => resets.push(r.reason));
  sock.deliver({ type: 'reset', topic: 'orders', reason: 'epoch-changed' });
  sock.deliver({ type: 'subscribed', topic: 'orders', epoch: 'f', seq: 2, mode: 'snapshot' });
  sock.deliver({ type: 'snapshot', topic: 'orders', epoch: 'f', seq: 2, phase: 'begin', size: 1 });
  sock.deliver({ type: 'change', topic: 'orders', epoch: 'f', seq: 2, op: 'INSERT', key: 'c', row: { v: 3 }, snapshot: true });
  assert.equal(topic.state, 'loading');
  assert.deepEqual([...topic.rows.keys()], ['a', 'b'], 'old state while loading');
  assert.deepEqual(topic.position, { epoch: 'e', seq: 7 });
  sock.deliver({ type: 'snapshot', topic: 'orders', epoch: 'f', seq: 2, phase: 'end' });
  assert.deepEqual(resets, ['epoch-changed']);
  assert.deepEqual([...topic.rows.keys()], ['c']);
  assert.deepEqual(topic.position, { epoch: 'f', seq: 2 });
  assert.deepEqual(seen, ['c']);
});

test('a connection lost halfway through a snapshot keeps the previous state', async () => {
  const { client, clock, net, topic, sock } = await streaming({ a: { v: 1 } }, 3);
  sock.deliver({ type: 'reset', topic: 'orders', reason: 'out-of-window' });
  sock.deliver({ type: 'subscribed', topic: 'orders', epoch: 'f', seq: 9, mode: 'snapshot' });
  sock.deliver({ type: 'snapshot', topic: 'orders', epoch: 'f', seq: 9, phase: 'begin', size: 2 });
  sock.deliver({ type: 'change', topic: 'orders', epoch: 'f', seq: 9, op: 'INSERT', key: 'x', row: {}, snapshot: true });
  sock.drop(1006);
  assert.deepEqual([...topic.rows.keys()], ['a']);
  await timeToNextSocket(net, clock);
  const hello = net.last().welcome({ resumed: true });
  assert.deepEqual(hello.positions.orders, { epoch: 'e', seq: 3 });
  assert.equal(client.state, 'open');
});

test('a resumed session replays from the position without doubling', async () => {
  const { clock, net, topic, sock } = await streaming({ a: { v: 1 } }, 3);
  sock.change('orders', 'e', 4, 'a', { v: 4 });
  sock.drop(1006);
  await timeToNextSocket(net, clock);
  const next = net.last();
  assert.deepEqual(next.welcome({ resumed: true }).positions.orders, { epoch: 'e', seq: 4 });
  next.deliver({ type: 'subscribed', topic: 'orders', epoch: 'e', seq: 4, mode: 'replay' });
  next.change('orders', 'e', 4, 'a', { v: 40 }); // at the position: a duplicate
  next.change('orders', 'e', 5, 'b', { v: 5 });
  assert.equal(topic.rows.get('a').v, 4);
  assert.equal(topic.rows.get('b').v, 5);
  assert.equal(next.sentOf('subscribe').length, 0);
});

test('warning is passed on to the app', async () => {
  const { events, sock } = await streaming();
  sock.deliver({ type: 'warning', reason: 'buffer', fill: 0.81, pending: 81, max: 100 });
  assert.deepEqual(events.filter((e) => e.name === 'warning').map((e) => e.payload), [{ fill: 0.81, pending: 81, max: 100 }]);
});

test('unsubscribe sends unsubscribe, closes the topic and drops its messages', async () => {
  const { client, topic, sock } = await streaming();
  topic.unsubscribe();
  assert.equal(topic.state, 'closed');
  assert.deepEqual(sock.sentOf('unsubscribe').map((m) => m.topic), ['orders']);
  sock.change('orders', 'e', 2, 'a', { v: 2 });
  assert.equal(topic.rows.get('a').v, 1);
  assert.equal(client.topics.size, 0);
  topic.unsubscribe(); // idempotent
  assert.equal(sock.sentOf('unsubscribe').length, 1);
});

test('a restored subscription the app let go of is unsubscribed', async () => {
  const { sock } = await streaming();
  sock.deliver({ type: 'subscribed', topic: 'gone', epoch: 'e', seq: 1, mode: 'replay' });
  assert.deepEqual(sock.sentOf('unsubscribe').map((m) => m.topic), ['gone']);
});

test('a refused subscription closes the topic with its error', async () => {
  const { client, sock } = await streaming();
  const topic = client.subscribe('secret');
  const errors = [];
  topic.on('error', (e) => errors.push(e.code));
  const request = sock.sentOf('subscribe').pop();
  sock.deliver({ type: 'error', id: request.id, code: 'forbidden', message: 'not for you' });
  assert.deepEqual(errors, ['forbidden']);
  assert.equal(topic.state, 'closed');
  await assert.rejects(topic.ready);
});

test('acks are sent every ackEvery changes and on the timer', async () => {
  const { clock, sock } = await connected({ ackEvery: 3, ackIntervalMs: 1_000 }).then(async (env) => {
    env.client.subscribe('orders');
    env.net.last().welcome();
    env.net.last().snapshot('orders', 'e', 0, {});
    return { ...env, sock: env.net.last() };
  });
  const acks = () => sock.sentOf('ack').map((m) => m.seq);
  assert.deepEqual(acks(), [0]);
  for (let seq = 1; seq <= 4; seq++) sock.change('orders', 'e', seq, 'k', { v: seq });
  assert.deepEqual(acks(), [0, 3]);
  await clock.advance(1_000);
  assert.deepEqual(acks(), [0, 3, 4]);
});

test('many topics: subscribes after the welcome are paced under the send rate', async () => {
  const { client, clock, net } = await connected({ sendRate: 20, sendBurst: 40 });
  net.last().welcome();
  for (let i = 0; i < 100; i++) client.subscribe(`t${i}`);
  assert.equal(net.last().sentOf('subscribe').length, 40);
  await clock.advance(1_000);
  assert.equal(net.last().sentOf('subscribe').length, 60);
  await clock.advance(2_000);
  assert.equal(net.last().sentOf('subscribe').length, 100);
});

test('maxTopics bounds the topics of one client', async () => {
  const { client } = await connected({ maxTopics: 2 });
  client.subscribe('a');
  client.subscribe('b');
  assert.throws(() => client.subscribe('c'), /at most 2 topics/);
  assert.throws(() => client.subscribe('bad name'), TypeError);
});

test('close ends every topic and stops reconnecting', async () => {
  const { client, clock, net, topic, sock } = await streaming();
  client.close();
  assert.equal(sock.closedBy.code, 1000);
  assert.equal(topic.state, 'closed');
  assert.equal(await timeToNextSocket(net, clock, 20_000, 100), Infinity);
});
