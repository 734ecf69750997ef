/**
 * React binding for the Slipstream client: `useTopic(client, name)` renders a topic's live rows.
 *
 *   import { useTopic } from 'slipstream-client/react';
 *   function Orders({ client }) {
 *     const { rows } = useTopic(client, 'orders');
 *     return <ul>{[...rows].map(([key, row]) => <li key={key}>{row.status}</li>)}</ul>;
 *   }
 *
 * Single-threaded (React's render and the client's callbacks share the event loop). The hook
 * is `useSyncExternalStore` over a store per (client, topic name): a topic's `rows` Map is
 * updated in place, so the store's snapshot is a small object replaced on every update, whose
 * `version` counter is what React compares. Components that show the same topic share one
 * subscription; the last one to unmount ends it (a microtask later, so that React's
 * StrictMode mount, unmount, mount does not re-subscribe), unless the app had subscribed to the
 * topic itself before: then the subscription stays the app's.
 */
import { useMemo, useSyncExternalStore } from 'react';

/** Stores by client, then by topic name: as many as the client has topics (its `maxTopics`). */
const stores = new WeakMap();

const NO_ROWS = new Map();

/**
 * The external store of one topic: `subscribe(onChange)` and `getSnapshot()` for
 * `useSyncExternalStore`, or for any other view library. Shared per (client, name).
 */
export function topicStore(client, name) {
  let byName = stores.get(client);
  if (byName === undefined) stores.set(client, (byName = new Map()));
  let store = byName.get(name);
  if (store === undefined) {
    store = createStore(client, name, () => byName.delete(name));
    byName.set(name, store);
  }
  return store;
}

function createStore(client, name, forget) {
  const listeners = new Set();
  let topic = null;
  /** Whether the store subscribed (rather than the app, before it): only then it unsubscribes. */
  let owned = false;
  let offs = [];
  let version = 0;
  let snapshot = {
    rows: NO_ROWS, version, state: 'subscribing', position: null, topic: null,
  };

  const changed = () => {
    version++;
    snapshot = {
      rows: topic.rows, version, state: topic.state, position: topic.position, topic,
    };
    for (const fn of [...listeners]) fn();
  };

  const start = () => {
    owned = !client.topics.has(name);
    topic = client.subscribe(name);
    offs = [topic.on('update', changed), topic.on('state', changed)];
    changed();
  };

  const stop = () => {
    for (const off of offs) off();
    offs = [];
    if (owned) topic.unsubscribe();
    topic = null;
    forget();
  };

  return {
    subscribe(onChange) {
      listeners.add(onChange);
      if (topic === null) start();
      return () => {
        listeners.delete(onChange);
        queueMicrotask(() => {
          if (listeners.size === 0 && topic !== null) stop();
        });
      };
    },
    getSnapshot() {
      return snapshot;
    },
  };
}

/**
 * The rows of `name` on `client`, re-rendering on every change: `{rows, version, state,
 * position, topic}`. Subscribes on mount and unsubscribes when the last user unmounts (unless the
 * app had subscribed to the topic itself).
 */
export function useTopic(client, name) {
  const store = useMemo(() => topicStore(client, name), [client, name]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
