// useTopic through React itself (react-test-renderer): renders follow the rows, components share
// one subscription, and the last unmount ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement } from 'react';
import TestRenderer from 'react-test-renderer';
import { connected, settle } from './harness.mjs';

const reactModule = process.env.SLIPSTREAM_REACT || new URL('../src/react.js', import.meta.url).href;
const { useTopic, topicStore } = await import(reactModule);

globalThis.IS_REACT_ACT_ENVIRONMENT = true;
const { act, create } = TestRenderer;

function Table({ client, seen }) {
  const { rows, version, state } = useTopic(client, 'orders');
  seen.push({ version, state, keys: [...rows.keys()].join(',') });
  return createElement('ul', null, [...rows].map(([key, row]) => createElement('li', { key }, `${key}=${row.v}`)));
}

test('useTopic renders the snapshot, then every change', async () => {
  const { client, net } = await connected();
  net.last().welcome();
  const seen = [];
  let renderer;
  await act(async () => {
    renderer = create(createElement(Table, { client, seen }));
  });
  assert.equal(client.topics.get('orders').state, 'subscribing');
  const subscribe = net.last().sentOf('subscribe').pop();
  await act(async () => net.last().snapshot('orders', 'e', 1, { a: { v: 1 } }, subscribe.id));
  assert.deepEqual(renderer.toJSON().children.map((li) => li.children[0]), ['a=1']);
  await act(async () => net.last().change('orders', 'e', 2, 'b', { v: 2 }));
  await act(async () => net.last().change('orders', 'e', 3, 'a', undefined));
  assert.deepEqual(renderer.toJSON().children.map((li) => li.children[0]), ['b=2']);
  const last = seen[seen.length - 1];
  assert.equal(last.state, 'streaming');
  assert.ok(last.version >= 3, `version ${last.version}`);
  // Versions only grow: React saw a new snapshot every time.
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].version >= seen[i - 1].version);
});

test('two components share one subscription; the last unmount unsubscribes', async () => {
  const { client, net } = await connected();
  net.last().welcome();
  const seen = [];
  let one;
  let two;
  await act(async () => {
    one = create(createElement(Table, { client, seen }));
    two = create(createElement(Table, { client, seen }));
  });
  assert.equal(net.last().sentOf('subscribe').length, 1);
  await act(async () => one.unmount());
  await settle();
  assert.equal(net.last().sentOf('unsubscribe').length, 0);
  await act(async () => two.unmount());
  await settle();
  assert.deepEqual(net.last().sentOf('unsubscribe').map((m) => m.topic), ['orders']);
  assert.equal(client.topics.size, 0);
});

test('a topic the app subscribed itself stays subscribed after the last unmount', async () => {
  const { client, net } = await connected();
  net.last().welcome();
  const mine = client.subscribe('orders');
  let renderer;
  await act(async () => {
    renderer = create(createElement(Table, { client, seen: [] }));
  });
  await act(async () => renderer.unmount());
  await settle();
  assert.equal(client.topics.get('orders'), mine);
  assert.equal(net.last().sentOf('unsubscribe').length, 0);
});

test('the store snapshot is stable between updates (useSyncExternalStore requires it)', async () => {
  const { client } = await connected();
  const store = topicStore(client, 'orders');
  const off = store.subscribe(() => {});
  assert.equal(store.getSnapshot(), store.getSnapshot());
  assert.equal(topicStore(client, 'orders'), store);
  off();
});
