// Builds a client wired to fake time, a scripted network and a fake page.
import { FakeClock, FakeNetwork, FakePage, settle } from './fakes.mjs';

// SLIPSTREAM_CLIENT points the tests at another build of the client (e.g. dist/slipstream.cjs).
const modulePath = process.env.SLIPSTREAM_CLIENT || new URL('../src/slipstream.js', import.meta.url).href;
export const { Slipstream, Topic } = await import(modulePath);

/** A client that has not connected yet (`autoConnect: false`) plus its fakes. */
export function setup(options = {}) {
  const clock = new FakeClock();
  const net = new FakeNetwork();
  const page = new FakePage();
  const client = new Slipstream({
    url: 'http://slipstream.test',
    autoConnect: false,
    WebSocket: net.WebSocket,
    SockJS: net.SockJS,
    clock,
    window: page.window,
    document: page.document,
    ...options,
  });
  const events = [];
  for (const name of ['state', 'disconnect', 'error', 'welcome', 'warning']) {
    client.on(name, (payload) => events.push({ name, payload }));
  }
  return { client, clock, net, page, events };
}

/** Connects and lets the first socket be created. */
export async function connected(options = {}) {
  const env = setup(options);
  env.client.connect();
  await settle();
  return env;
}

export { settle };
