// The client in Node against a real Slipstream server, through a TCP proxy that cuts its
// connection 1,000 times at random moments while another loop publishes over HTTP. At the end
// the client's table must equal GET /api/topics/{t}/rows and the published history replayed,
// and every published change must have been applied exactly once, in seq order.
//
//   node test/live/disconnects.mjs <server port> [disconnects] [topic]
//
// Run by NodeClientIT (server/src/test/java/io/slipstream/server/browser), which starts the
// server. Prints one JSON summary line last; exits 1 with the reason on any mismatch.
import net from 'node:net';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import { Slipstream } from '../../src/slipstream.js';

const [portArg, disconnectsArg = '1000', topicName = 'live'] = process.argv.slice(2);
const serverPort = Number(portArg);
const wantedDisconnects = Number(disconnectsArg);
const api = `http://127.0.0.1:${serverPort}`;
const KEYS = 200;
const started = Date.now();

// ---------------------------------------------------------------- the proxy that cuts

const links = new Set();
const proxy = net.createServer((down) => {
  const up = net.connect(serverPort, '127.0.0.1');
  const link = { down, up };
  links.add(link);
  const end = () => {
    links.delete(link);
    down.destroy();
    up.destroy();
  };
  down.on('error', end).on('close', end);
  up.on('error', end).on('close', end);
  down.pipe(up);
  up.pipe(down);
  // Some cuts come before the welcome: the next hello then has no usable resume token.
  if (cutting && Math.random() < 0.15) setTimeout(() => cut('early'), Math.random() * 3);
});
proxy.listen(0, '127.0.0.1');
await once(proxy, 'listening');

let cutting = true;
let cuts = 0;
const cutKinds = { early: 0, reset: 0, close: 0, upstream: 0 };
/** Cuts every proxied connection the way networks do: RST, FIN, or from the server's side. */
function cut(kind) {
  if (!cutting || links.size === 0) return;
  const how = kind === 'early' ? 'early' : ['reset', 'close', 'upstream'][Math.floor(Math.random() * 3)];
  for (const { down, up } of [...links]) {
    if (how === 'reset' && typeof down.resetAndDestroy === 'function') down.resetAndDestroy();
    else if (how === 'upstream') up.destroy();
    else down.destroy();
  }
  cutKinds[how]++;
  cuts++;
}

// ---------------------------------------------------------------- the publisher

const published = new Map(); // seq -> {op, key, row}
let epoch = null;
async function post(path, body) {
  const r = await fetch(api + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await r.json();
  assert.equal(r.status, 200, JSON.stringify(json));
  return json;
}
// A topic nobody has published to yet gets a new epoch at every subscribe (the first publish
// fixes it), so the history under test starts with one published change.
const seedAnswer = await post(`/api/topics/${topicName}/changes`, { op: 'INSERT', key: 'k0', row: { n: 0, key: 'k0' } });
epoch = seedAnswer.epoch;
published.set(seedAnswer.firstSeq, { op: 'INSERT', key: 'k0', row: { n: 0, key: 'k0' } });

// ---------------------------------------------------------------- the client

const client = new Slipstream({
  url: `http://127.0.0.1:${proxy.address().port}`,
  // Fast reconnects, so that 1,000 cuts take seconds; the backoff itself is unit-tested.
  backoffBaseMs: 2,
  backoffCapMs: 20,
  ackEvery: 50,
  traceSize: 40,
});
const topic = client.subscribe(topicName);
const applied = []; // {seq, op, key, row} of every live change applied, in order
let snapshots = 0;
let snapshotSeq = -1;
const subscribedModes = {};
topic.on('subscribed', (s) => {
  subscribedModes[s.mode] = (subscribedModes[s.mode] || 0) + 1;
  if (s.mode === 'snapshot' && snapshots > 0) console.error('snapshot after', JSON.stringify(s), JSON.stringify(topic.position), JSON.stringify(client.stats), client.trace.slice(-12).map((t) => t.dir + ' ' + t.text.slice(0, 200)).join('\n'));
});
topic.on('reset', (r) => console.error('reset', JSON.stringify(r)));
topic.on('snapshot', (s) => {
  snapshots++;
  snapshotSeq = s.seq;
});
topic.on('change', (c) => {
  if (!c.snapshot) applied.push({ seq: c.seq, op: c.op, key: c.key, row: c.row });
});
const errors = [];
client.on('error', (e) => errors.push(e));
await topic.ready;

// Every time the client is welcomed, cut again a random 0 to 5 ms later, until done.
client.on('welcome', () => {
  if (cuts < wantedDisconnects) setTimeout(() => cut('after-welcome'), Math.random() * 5);
});
cut('after-welcome');

async function publishLoop() {
  let n = 0;
  while (cuts < wantedDisconnects) {
    const batch = [];
    for (let i = 0; i < 5; i++) {
      const key = `k${Math.floor(Math.random() * KEYS)}`;
      const op = Math.random() < 0.15 ? 'DELETE' : 'UPDATE';
      batch.push(op === 'DELETE' ? { op, key } : { op, key, row: { n: ++n, key } });
    }
    const answer = await post(`/api/topics/${topicName}/changes`, batch);
    assert.equal(answer.epoch, epoch, 'one epoch throughout');
    batch.forEach((change, i) => published.set(answer.firstSeq + i, change));
  }
}
await publishLoop();
cutting = false;

// ---------------------------------------------------------------- the end state

const head = await (await fetch(`${api}/api/topics/${topicName}`)).json();
if (topic.position === null || topic.position.seq < head.seq || client.state !== 'open') {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not caught up: ${JSON.stringify(topic.position)} vs ${head.seq}, ${client.state}`)), 20_000);
    const check = () => {
      if (client.state === 'open' && topic.position !== null && topic.position.seq >= head.seq) {
        clearTimeout(timer);
        resolve();
      }
    };
    topic.on('update', check);
    client.on('state', check);
    check();
  });
}
const server = await (await fetch(`${api}/api/topics/${topicName}/rows`)).json();
assert.equal(server.seq, head.seq, 'nothing published after the end');

// The client's table equals the server's rows.
const serverRows = new Map(server.rows.map(({ key, row }) => [key, row]));
assert.deepEqual(new Map(topic.rows), serverRows, 'client rows == GET rows');

// The published history, replayed, equals both.
const model = new Map();
const seqs = [...published.keys()].sort((a, b) => a - b);
assert.equal(seqs[seqs.length - 1], head.seq, 'every seq was published by this script');
for (const seq of seqs) {
  const c = published.get(seq);
  if (c.op === 'DELETE') model.delete(c.key);
  else model.set(c.key, c.row);
}
assert.deepEqual(model, serverRows, 'published history == GET rows');

// Every change after the one snapshot was applied exactly once, in order, as published.
assert.equal(snapshots, 1, 'one snapshot: every reconnect resumed or replayed');
const first = snapshotSeq + 1;
assert.equal(applied.length, head.seq - snapshotSeq, `applied ${applied.length} changes for seqs ${first}..${head.seq}`);
applied.forEach((a, i) => {
  assert.equal(a.seq, first + i, `change #${i} has seq ${a.seq}`);
  const p = published.get(a.seq);
  assert.equal(a.op, p.op === 'DELETE' ? 'DELETE' : a.op);
  assert.equal(a.key, p.key, `seq ${a.seq} key`);
});
assert.ok(cuts >= wantedDisconnects, `${cuts} cuts`);
assert.deepEqual(errors.filter((e) => e.code !== 'rate-limited'), [], 'no client errors');

const summary = {
  cuts, cutKinds, published: published.size, applied: applied.length, snapshotSeq, finalSeq: head.seq,
  rows: serverRows.size, state: client.state, stats: client.stats, ms: Date.now() - started,
};
client.close();
proxy.close();
console.log(JSON.stringify(summary));
