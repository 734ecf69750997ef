// In-band token refresh (issue 11): with a `token` function the client sends `auth` with a new
// token before the one in force expires, instead of waiting for the server's 4003 and
// reconnecting. Each test plays the server on a scripted socket, on fake time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connected, settle, setup } from './harness.mjs';
import { timeToNextSocket } from './fakes.mjs';

/** An unsigned JWT with these claims: the client only reads `exp`, the server verifies. */
function jwt(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part({ sub: 'ann', ...claims })}.c2ln`;
}

/** A token function minting tokens that live `lifetimeMs` from `clock` now, counting calls. */
function minter(env, lifetimeMs) {
  const minted = [];
  const token = () => {
    const t = jwt({ exp: Math.floor((env.clock.t + lifetimeMs) / 1000), n: minted.length + 1 });
    minted.push(t);
    return t;
  };
  return { minted, token };
}

test('auth with a fresh token at 80% of the lifetime, without reconnecting (bug: 4003, then a reconnect)', async () => {
  const env = await connectedWith(60_000);
  const { client, clock, net, mint } = env;
  const sock = net.last();
  const hello = sock.welcome();
  assert.equal(hello.token, mint.minted[0]);
  await idle(sock, clock, 47_900);
  assert.deepEqual(sock.sentOf('auth'), [], 'not before 80% of the 60 s');
  await idle(sock, clock, 200);
  const [auth] = sock.sentOf('auth');
  assert.equal(auth.token, mint.minted[1], 'a token fetched for the refresh');
  assert.equal(typeof auth.id, 'string');
  const authed = [];
  client.on('authed', (a) => authed.push(a));
  const newExp = Math.floor((clock.t + 60_000) / 1000);
  sock.deliver({ type: 'authed', id: auth.id, exp: newExp });
  assert.deepEqual(authed, [{ exp: newExp }]);
  // The next refresh is planned from authed.exp: 80% of the ~60 s left.
  await idle(sock, clock, 47_000);
  assert.equal(sock.sentOf('auth').length, 1);
  await idle(sock, clock, 1_000);
  assert.equal(sock.sentOf('auth').length, 2);
  assert.equal(net.sockets.length, 1, 'never reconnected');
  assert.equal(client.state, 'open');
  assert.equal(sock.closedBy, null);
});

test('a refused auth is tried again halfway to the expiry, twice, then 4003 reconnects with a new token', async () => {
  const { client, clock, net, mint, events } = await connectedWith(20_000);
  const sock = net.last();
  sock.welcome();
  const refuse = (auth) => sock.deliver({ type: 'error', id: auth.id, code: 'unauthorized', message: 'sub differs' });
  await clock.advance(16_000); // 80% of 20 s
  let auths = sock.sentOf('auth');
  assert.equal(auths.length, 1);
  refuse(auths[0]);
  assert.ok(events.some((e) => e.name === 'error' && e.payload.code === 'unauthorized' && e.payload.id === auths[0].id));
  await clock.advance(2_000); // halfway through the 4 s left
  auths = sock.sentOf('auth');
  assert.equal(auths.length, 2, 'tried again');
  refuse(auths[1]);
  await clock.advance(1_000); // halfway through the 2 s left
  auths = sock.sentOf('auth');
  assert.equal(auths.length, 3, 'and once more');
  refuse(auths[2]);
  await clock.advance(999);
  assert.equal(sock.sentOf('auth').length, 3, 'no third retry');
  sock.deliver({ type: 'error', code: 'unauthorized', message: 'the token expired' });
  sock.drop(4003, 'unauthorized');
  assert.equal(client.state, 'reconnecting');
  await timeToNextSocket(net, clock);
  assert.equal(net.last().welcome().token, mint.minted[mint.minted.length - 1], 'reconnects with a new token');
  assert.equal(mint.minted.length, 5, 'hello, three refreshes, the reconnect');
  assert.equal(client.state, 'open');
});

test('a token function that throws at refresh time is reported and tried again; the socket stays', async () => {
  let fail = false;
  const { client, clock, net, events } = await connectedWith(20_000, (mint) => () => {
    if (fail) throw new Error('token endpoint down');
    return mint.token();
  });
  const sock = net.last();
  sock.welcome();
  fail = true;
  await clock.advance(16_000);
  assert.ok(events.some((e) => e.name === 'error' && e.payload.code === 'token'));
  assert.deepEqual(sock.sentOf('auth'), []);
  fail = false;
  await clock.advance(2_000); // halfway through the 4 s left
  assert.equal(sock.sentOf('auth').length, 1);
  assert.equal(client.state, 'open');
  assert.equal(net.sockets.length, 1);
});

test('a refresh whose connection ended while the token was fetched sends nothing', async () => {
  let release;
  let slow = false;
  const { clock, net } = await connectedWith(10_000, (mint) => () => {
    if (!slow) return mint.token();
    return new Promise((resolve) => {
      release = () => resolve(mint.token());
    });
  });
  const first = net.last();
  first.welcome();
  slow = true;
  await clock.advance(8_000);
  assert.equal(typeof release, 'function', 'the refresh asked for a token');
  first.drop(1006);
  release();
  await settle();
  assert.deepEqual(first.sentOf('auth'), []);
  slow = false;
  await timeToNextSocket(net, clock);
  const second = net.last();
  second.welcome();
  assert.deepEqual(second.sentOf('auth'), [], 'nothing carried over to the new socket');
});

test('no auth for a fixed token, an opaque token, a token without exp, or tokenRefreshAt 0', async () => {
  const cases = [
    { token: jwt({ exp: 2_000 }) }, // fixed: there is no new token to get
    { token: () => 'opaque-token' },
    { token: () => jwt({}) },
    { token: () => jwt({ exp: 2_000 }), tokenRefreshAt: 0 },
  ];
  for (const options of cases) {
    const { clock, net } = await connected(options);
    net.last().welcome();
    await idle(net.last(), clock, 1_200_000);
    assert.equal(net.sockets.length, 1);
    assert.deepEqual(net.last().sentOf('auth'), [], JSON.stringify(options));
  }
});

test('a token valid for a year plans its refresh without firing at once (setTimeout overflow)', async () => {
  const { clock, net } = await connectedWith(365 * 24 * 3600 * 1000);
  net.last().welcome();
  await idle(net.last(), clock, 60_000);
  assert.equal(net.sockets.length, 1);
  assert.deepEqual(net.last().sentOf('auth'), []);
});

test('authed without exp means the new token does not expire: no further refresh', async () => {
  const { clock, net } = await connectedWith(10_000);
  const sock = net.last();
  sock.welcome();
  await clock.advance(8_000);
  sock.deliver({ type: 'authed', id: sock.sentOf('auth')[0].id });
  await idle(sock, clock, 600_000);
  assert.equal(net.sockets.length, 1);
  assert.equal(sock.sentOf('auth').length, 1);
});

test('tokenRefreshAt outside [0, 1) is refused at construction', async () => {
  const { Slipstream } = await import('./harness.mjs');
  for (const bad of [1, -0.1, '0.8', Number.NaN]) {
    assert.throws(() => new Slipstream({ url: 'http://x.test', autoConnect: false, tokenRefreshAt: bad }), /tokenRefreshAt/);
  }
});

/**
 * A connected client whose token function mints tokens living `lifetimeMs` on the fake clock
 * (`wrap` may put something around the minter), with its first socket created.
 */
async function connectedWith(lifetimeMs, wrap = (mint) => () => mint.token()) {
  const box = {};
  const env = setup({ token: () => box.fn() });
  box.mint = minter(env, lifetimeMs);
  box.fn = wrap(box.mint);
  env.client.connect();
  await settle();
  return { ...env, mint: box.mint };
}

/** Moves time on by `ms` with the server pinging every 5 s, so the socket is never silent. */
async function idle(sock, clock, ms) {
  for (let left = ms; left > 0; left -= 5_000) {
    await clock.advance(Math.min(5_000, left));
    sock.deliver({ type: 'ping' });
  }
}
