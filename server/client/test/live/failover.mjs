// The client in Node against a real Slipstream cluster, through a proxy the test re-points from
// node to node as a load balancer does, while this script publishes on another node. The test
// (NodeFailoverIT, server/src/test/java/io/slipstream/server/browser) fails nodes over; at the end
// the client's table must equal GET /api/topics/{t}/rows and the published history replayed, and
// every published change must have been applied exactly once, in seq order, with no snapshot
// after the first (each reconnect resumed or replayed from the client's position).
//
//   node test/live/failover.mjs <proxy port> <publish port> [topic]
//
// Prints JSON event lines the test waits for: {"event":"welcome"}, and {"event":"applied"} every
// 20 live changes applied since the last welcome. Reads commands from stdin: `mark` prints
// {"event":"mark"} with the changes applied so far; `stop` ends the run (stop publishing, catch
// up, check). Prints {"event":"summary",…} last; exits 1 on any mismatch.
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';
import { Slipstream } from '../../src/slipstream.js';

const [proxyArg, publishArg, topicName = 'failover'] = process.argv.slice(2);
const api = `http://127.0.0.1:${Number(publishArg)}`;
const KEYS = 100;
/** A publish that keeps failing this often in a row ends the run: the cluster lost it. */
const PUBLISH_TRIES = 100;
const LIMIT_MS = 60_000;
const started = Date.now();
const print = (o) => console.log(JSON.stringify(o));

const watchdog = setTimeout(() => {
  console.error(`not done within ${LIMIT_MS} ms`, JSON.stringify(client.stats), client.trace.map((t) => `${t.dir} ${t.text.slice(0, 160)}`).join('\n'));
  process.exit(1);
}, LIMIT_MS);

// ---------------------------------------------------------------- the publisher

const published = new Map(); // seq -> {op, key, row}
let publishRetries = 0;
/**
 * Publishes `body` with an Idempotency-Key, again with the same key on a 503 or a network error
 * (a member leaving may leave a publish indeterminate): applied once whatever the answers.
 */
async function publish(body, key) {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await fetch(`${api}/api/topics/${topicName}/changes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const json = await r.json();
      if (r.status === 200) return json;
      assert.equal(r.status, 503, JSON.stringify(json));
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
    }
    assert.ok(attempt < PUBLISH_TRIES, `publish ${key} failed ${attempt} times`);
    publishRetries++;
    await new Promise((resolve) => setTimeout(resolve, 50)); // pacing retries, not waiting for an event
  }
}

const seed = { op: 'INSERT', key: 'k0', row: { n: 0, key: 'k0' } };
const seedAnswer = await publish(seed, 'seed');
const epoch = seedAnswer.epoch;
published.set(seedAnswer.firstSeq, seed);

// ---------------------------------------------------------------- the client

const client = new Slipstream({
  url: `http://127.0.0.1:${Number(proxyArg)}`,
  // Quick retries while the balancer still points at a node that is gone.
  backoffBaseMs: 50,
  backoffCapMs: 500,
  traceSize: 60,
});
const topic = client.subscribe(topicName);
const applied = []; // {seq, op, key} of every live change applied, in order
let snapshots = 0;
let snapshotSeq = -1;
let welcomes = 0;
let sinceWelcome = 0;
const welcomed = [];
client.on('welcome', (w) => {
  welcomes++;
  sinceWelcome = 0;
  welcomed.push({ resumed: w.resumed });
  print({ event: 'welcome', welcomes, resumed: w.resumed });
});
const disconnects = [];
client.on('disconnect', (d) => disconnects.push(d.code));
const errors = [];
client.on('error', (e) => errors.push(e));
topic.on('snapshot', (s) => {
  snapshots++;
  snapshotSeq = s.seq;
});
topic.on('change', (c) => {
  if (c.snapshot) return;
  applied.push({ seq: c.seq, op: c.op, key: c.key });
  sinceWelcome++;
  if (sinceWelcome % 20 === 0) print({ event: 'applied', welcomes, sinceWelcome, total: applied.length });
});
await topic.ready;

let stopping = false;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stop') stopping = true;
  if (line.trim() === 'mark') print({ event: 'mark', welcomes, total: applied.length });
});

let n = 0;
let batches = 0;
while (!stopping) {
  const batch = [];
  for (let i = 0; i < 5; i++) {
    const key = `k${Math.floor(Math.random() * KEYS)}`;
    const op = Math.random() < 0.15 ? 'DELETE' : 'UPDATE';
    batch.push(op === 'DELETE' ? { op, key } : { op, key, row: { n: ++n, key } });
  }
  const answer = await publish(batch, `b${++batches}`);
  assert.equal(answer.epoch, epoch, 'one epoch throughout');
  batch.forEach((change, i) => published.set(answer.firstSeq + i, change));
}

// ---------------------------------------------------------------- the end state

const head = await (await fetch(`${api}/api/topics/${topicName}`)).json();
await new Promise((resolve) => {
  const check = () => {
    if (client.state === 'open' && topic.position !== null && topic.position.seq >= head.seq) resolve();
  };
  topic.on('update', check);
  client.on('state', check);
  check();
});
const server = await (await fetch(`${api}/api/topics/${topicName}/rows`)).json();
assert.equal(server.seq, head.seq, 'nothing published after the end');
const serverRows = new Map(server.rows.map(({ key, row }) => [key, row]));
assert.deepEqual(new Map(topic.rows), serverRows, 'client rows == GET rows');

const model = new Map();
const seqs = [...published.keys()].sort((a, b) => a - b);
assert.equal(seqs.length, head.seq - seedAnswer.firstSeq + 1, 'every seq was published by this script, once');
for (const seq of seqs) {
  const c = published.get(seq);
  if (c.op === 'DELETE') model.delete(c.key);
  else model.set(c.key, c.row);
}
assert.deepEqual(model, serverRows, 'published history == GET rows');

assert.equal(snapshots, 1, 'one snapshot: every reconnect resumed or replayed');
assert.equal(applied.length, head.seq - snapshotSeq, `applied ${applied.length} changes for seqs ${snapshotSeq + 1}..${head.seq}`);
applied.forEach((a, i) => {
  assert.equal(a.seq, snapshotSeq + 1 + i, `change #${i} has seq ${a.seq}`);
  assert.equal(a.key, published.get(a.seq).key, `seq ${a.seq} key`);
});
assert.deepEqual(errors.filter((e) => e.code !== 'rate-limited'), [], 'no client errors');

clearTimeout(watchdog);
print({
  event: 'summary', welcomes, welcomed, disconnects, published: published.size, publishRetries,
  applied: applied.length, snapshotSeq, finalSeq: head.seq, rows: serverRows.size, stats: client.stats,
  ms: Date.now() - started,
});
client.close();
process.exit(0);
