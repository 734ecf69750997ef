// The client in Node against a real Slipstream server that verifies JWTs, with tokens that live
// a few seconds: the client must refresh them in-band (`auth`) and keep its one connection past
// the first token's expiry, its table live and exact, without a single reconnect.
//
//   node test/live/refresh.mjs <server port> <token url> [topic]
//
// Run by NodeTokenRefreshIT (server/src/test/java/io/slipstream/server/browser), which starts the
// server and the token endpoint. Prints one JSON summary line last; exits 1 with the reason on
// any mismatch.
import assert from 'node:assert/strict';
import { Slipstream } from '../../src/slipstream.js';
import { jwtExpiry } from '../../src/refresh.js';

const [portArg, tokenUrl, topicName = 'refresh'] = process.argv.slice(2);
const api = `http://127.0.0.1:${Number(portArg)}`;
/** Refreshes the server must accept before the run ends. */
const REFRESHES = 2;
/** How long past the first token's expiry the connection must still be the first one. */
const PAST_EXPIRY_MS = 1_500;
const LIMIT_MS = 30_000;

async function post(body) {
  const r = await fetch(`${api}/api/topics/${topicName}/changes`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const json = await r.json();
  assert.equal(r.status, 200, JSON.stringify(json));
  return json;
}

const tokens = [];
const client = new Slipstream({
  url: api,
  token: async () => {
    const r = await fetch(tokenUrl);
    assert.equal(r.status, 200);
    const t = await r.text();
    tokens.push(t);
    return t;
  },
  // Half the lifetime, not the default 80%: a loaded machine may take a second to answer.
  tokenRefreshAt: 0.5,
  traceSize: 40,
});
const disconnects = [];
const errors = [];
const authed = [];
client.on('disconnect', (d) => disconnects.push(d));
client.on('error', (e) => errors.push(e));

await post({ op: 'INSERT', key: 'k0', row: { n: 0 } });
const topic = client.subscribe(topicName);
await topic.ready;
const firstExp = jwtExpiry(tokens[0]);
assert.ok(firstExp !== undefined, 'the token endpoint gives JWTs with exp');

// A change after every accepted refresh, so the table is live across each token.
let n = 0;
await new Promise((resolve, reject) => {
  const limit = setTimeout(() => reject(new Error(`${authed.length} refreshes in ${LIMIT_MS} ms; ${JSON.stringify({ disconnects, errors, trace: client.trace })}`)), LIMIT_MS);
  // Without a refresh the server closes with 4003 at the first token's expiry: fail at once.
  client.on('disconnect', (d) => reject(new Error(`disconnected ${JSON.stringify(d)} after ${authed.length} refreshes; ${JSON.stringify(errors)}`)));
  let past = false;
  const done = () => {
    if (past && authed.length >= REFRESHES) {
      clearTimeout(limit);
      resolve();
    }
  };
  // The end needs the first token's expiry to have passed: a timer, as the server's is.
  setTimeout(() => {
    past = true;
    done();
  }, Math.max(0, firstExp + PAST_EXPIRY_MS - Date.now()));
  client.on('authed', (a) => {
    authed.push(a);
    post({ op: 'UPDATE', key: `k${++n}`, row: { n } }).then(done, reject);
  });
});

// Past the first token's expiry, a change still arrives on the first connection.
const last = await post({ op: 'UPDATE', key: 'last', row: { n: -1 } });
if (topic.position.seq < last.firstSeq) {
  await new Promise((resolve) => {
    const check = () => topic.position.seq >= last.firstSeq && resolve();
    topic.on('update', check);
    check();
  });
}
const server = await (await fetch(`${api}/api/topics/${topicName}/rows`)).json();
assert.deepEqual(new Map(topic.rows), new Map(server.rows.map(({ key, row }) => [key, row])), 'client rows == GET rows');
assert.deepEqual(disconnects, [], 'never disconnected');
assert.deepEqual(errors, [], 'no client errors');
assert.equal(client.stats.connects, 1, 'one connection throughout');
assert.equal(client.state, 'open');
const lastExp = authed[authed.length - 1].exp * 1000;
assert.ok(lastExp > firstExp, 'the server took newer tokens');

const summary = {
  connects: client.stats.connects, refreshes: authed.length, tokens: tokens.length,
  firstExp, lastExp, pastFirstExpiryMs: Date.now() - firstExp, seq: topic.position.seq,
  rows: topic.rows.size,
};
client.close();
console.log(JSON.stringify(summary));
