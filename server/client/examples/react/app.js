// The React example: a live table of one topic with `useTopic`. Plain JavaScript (no JSX, no
// build step), so that index.html can load it as it is; ReactExampleBrowserIT runs this file in
// Chromium against a real server.
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import { Slipstream } from 'slipstream-client';
import { useTopic } from 'slipstream-client/react';

function LiveTable({ client, topic }) {
  const { rows, state, position, version } = useTopic(client, topic);
  const keys = [...rows.keys()].sort();
  return h(
    'section',
    null,
    h('p', { id: 'status', 'data-state': state, 'data-seq': position ? position.seq : -1, 'data-epoch': position ? position.epoch : '' },
      `${topic}: ${state}, seq ${position ? position.seq : '-'}, ${rows.size} rows, render #${version}`),
    h('table', { id: 'rows' },
      h('tbody', null, keys.map((key) =>
        h('tr', { key, 'data-key': key },
          h('td', null, key),
          h('td', { className: 'row' }, JSON.stringify(rows.get(key))))))),
  );
}

/** Connects to `url` and renders `topic` into `element`; returns the client. */
export function mount(element, { url, topic }) {
  const client = new Slipstream({ url });
  createRoot(element).render(h(LiveTable, { client, topic }));
  return client;
}
