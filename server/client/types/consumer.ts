// A typed consumer of the package, checked by `tsc --noEmit` (npm run typecheck): it imports
// through the exports map as an app would, and fails to compile if the typings drift from the
// API the README and the tests use. The @ts-expect-error lines must stay errors.
import { Slipstream, type ErrorCode, type Row, type Topic } from 'slipstream-client';
import { useTopic, topicStore, type TopicSnapshot } from 'slipstream-client/react';

interface Order extends Row {
  status: string;
  total: number;
}

const client = new Slipstream({
  url: 'https://example.test',
  transport: 'auto',
  token: async () => 'jwt',
  tokenRefreshAt: 0.8,
  backoffBaseMs: 250,
  stableAfterMs: 30_000,
  subscribeTimeoutMs: 10_000,
  websocketRetryMs: 60_000,
  batch: true,
  clock: { now: () => 0 },
});

const orders: Topic<Order> = client.subscribe<Order>('orders');
orders.on('update', (t) => {
  for (const [key, row] of t.rows) console.log(key, row.status, row.total.toFixed(2));
});
orders.on('change', (c) => {
  const ts: number | undefined = c.ts;
  if (c.op === 'DELETE') console.log(c.key, ts);
});
orders.on('gap', (g) => console.log(g.from, g.to, g.count, g.reason));
client.on('error', (e) => {
  const code: ErrorCode = e.code;
  switch (code) {
    case 'timeout':
    case 'close-4003':
    case 'rate-limited':
      break;
    default:
      break;
  }
});
client.on('authed', (a) => {
  const exp: number | undefined = a.exp;
  void exp;
});
client.on('state', (s) => {
  if (s === 'failed') client.connect();
});
void orders.ready.then((t) => t.position?.seq);

// @ts-expect-error not a client event
client.on('nope', () => {});
// @ts-expect-error not a transport
new Slipstream({ transport: 'carrier-pigeon' });
// @ts-expect-error not an error code the client emits
const wrong: ErrorCode = 'no-such-code';
void wrong;

export function OrdersView(): number {
  const snap: TopicSnapshot<Order> = useTopic<Order>(client, 'orders');
  const first = snap.rows.get('a');
  const store = topicStore<Order>(client, 'orders');
  const off = store.subscribe(() => {});
  off();
  return snap.version + (first ? first.total : 0) + store.getSnapshot().version;
}
