// The Slipstream operator dashboard: polls this node's HTTP API once a second and draws what it
// says. No library and no CDN; charts are hand-drawn SVG polylines of the last five minutes.
// With apiToken set on the node, the page asks for the token once and keeps it in this tab's
// sessionStorage (never in the URL), sending it as a bearer header on every API call.

const POLL_MS = 1000;
const HISTORY = 300; // samples kept per chart: five minutes at one a second
const PAGE = 200; // connections shown, worst first
const TOKEN_KEY = 'slipstream.apiToken';
const RANK = { slow: 0, dropping: 1, warned: 2, lagging: 3, healthy: 4 };

const history = { throughput: [], drops: [], fill: [], lag: [] };
let last = null; // the previous poll's counters, for rates
let lastTopics = new Map();
let waitingForToken = false;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

class Unauthorized extends Error {}

async function api(path) {
  const headers = {};
  const t = token();
  if (t) headers.Authorization = 'Bearer ' + t;
  const r = await fetch(path, { headers, cache: 'no-store' });
  if (r.status === 401) throw new Unauthorized(path);
  if (!r.ok) throw new Error(path + ': ' + r.status);
  return path === '/metrics' ? r.text() : r.json();
}

function askForToken(refused) {
  waitingForToken = true;
  const form = document.getElementById('token-form');
  form.hidden = false;
  document.getElementById('main').hidden = true;
  document.getElementById('token-error').hidden = !refused;
  document.getElementById('token').focus();
}

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value);
  document.getElementById('token-form').hidden = true;
  document.getElementById('main').hidden = false;
  waitingForToken = false;
  poll();
});

/** Sums of a few counters from the Prometheus text, or null when /metrics is closed to us. */
function counters(text) {
  const sum = (name) => {
    let total = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(name + ' ') || line.startsWith(name + '{')) {
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  };
  return {
    delivered: sum('slipstream_changes_delivered_total'),
    dropped: sum('slipstream_changes_dropped_total'),
    published: sum('slipstream_changes_published_total'),
  };
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function num(v, digits = 0) {
  return el('td', { class: 'num' }, v == null ? '–' : Number(v).toFixed(digits));
}

function fillBar(fill) {
  const i = el('i', { class: fill >= 0.95 ? 'bad' : fill >= 0.8 ? 'warn' : '' });
  i.style.width = Math.min(100, Math.round(fill * 100)) + '%';
  const bar = el('span', { class: 'bar', title: (fill * 100).toFixed(1) + '%' }, i);
  return el('td', {}, bar, ' ' + Math.round(fill * 100) + '%');
}

/** Slow ones first: by quality (slow, dropping, warned, lagging, healthy), then by fill. */
function worstFirst(a, b) {
  return (RANK[a.quality] ?? 9) - (RANK[b.quality] ?? 9) || b.fill - a.fill || (a.id < b.id ? -1 : 1);
}

function drawConnections(list) {
  const body = document.querySelector('#connections tbody');
  body.replaceChildren(
    ...list.map((c) =>
      el(
        'tr',
        { 'data-quality': c.quality, 'data-id': c.id, 'data-session': c.session ?? '' },
        el('td', {}, c.id),
        el('td', {}, c.clientId ?? c.session ?? '–'),
        el('td', { class: 'q' }, c.quality),
        el('td', {}, c.state),
        el('td', {}, c.transport),
        el('td', {}, c.qos),
        fillBar(c.fill),
        num(c.pending),
        num(c.sentPerSec, 1),
        num(c.offeredPerSec, 1),
        num(c.ackLagMs?.p99),
        num(c.stalledMs),
        num(c.dropped),
        el('td', {}, (c.topics || []).join(', ')),
      ),
    ),
  );
}

function drawTopics(topics, windows, dt) {
  const body = document.querySelector('#topics tbody');
  body.replaceChildren(
    ...topics.map((t) => {
      const before = lastTopics.get(t.topic);
      const rate = before != null && dt > 0 ? Math.max(0, (t.seq - before) / dt) : null;
      const w = windows.get(t.topic);
      return el(
        'tr',
        {},
        el('td', {}, t.topic),
        num(t.seq),
        num(rate, 1),
        num(t.rows),
        num(t.subscribers),
        el('td', {}, w ? w.from + '–' + w.to : '–'),
      );
    }),
  );
  lastTopics = new Map(topics.map((t) => [t.topic, t.seq]));
}

function drawMembers(cluster) {
  const body = document.querySelector('#members tbody');
  const members = cluster ? cluster.members : [];
  body.replaceChildren(
    ...members.map((m) =>
      el(
        'tr',
        { 'data-quality': m.reachable === false ? 'slow' : 'healthy' },
        el('td', {}, (m.id ?? '?') + (m.self ? ' (this node)' : '')),
        el('td', {}, m.address ?? '–'),
        num(m.connections),
        num(m.topicsOwned),
        num(m.replicaLag),
      ),
    ),
  );
  document.querySelector('section[aria-label="members"]').hidden = !cluster;
}

function drawTotals(connections, topics, cluster, rates) {
  const count = (q) => connections.filter((c) => c.quality === q).length;
  const items = [
    ['connections', connections.length],
    ['members', cluster ? cluster.members.length : 1],
    ['topics', topics.length],
    ['lagging', count('lagging')],
    ['warned', count('warned')],
    ['dropping', count('dropping')],
    ['slow', count('slow')],
    ['delivered/s', rates ? rates.throughput.toFixed(0) : '–'],
    ['dropped/s', rates ? rates.drops.toFixed(0) : '–'],
  ];
  document
    .getElementById('totals')
    .replaceChildren(...items.map(([k, v]) => el('div', { 'data-total': k }, el('b', {}, v), el('span', {}, k))));
}

function push(series, v) {
  series.push(v);
  if (series.length > HISTORY) series.shift();
}

function drawChart(id, series) {
  const svg = document.getElementById(id);
  const max = Math.max(1e-9, ...series);
  const n = Math.max(2, series.length);
  const points = series.map((v, i) => (i * 300) / (n - 1) + ',' + (78 - (v / max) * 74).toFixed(1)).join(' ');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points);
  svg.replaceChildren(line);
  svg.setAttribute('data-max', String(max));
}

async function poll() {
  if (waitingForToken) return;
  const status = document.getElementById('status');
  try {
    const started = performance.now();
    const [page, topics, cluster] = await Promise.all([
      api('/api/connections?all=true&sort=fill&limit=' + PAGE),
      api('/api/topics'),
      api('/api/cluster').catch((e) => {
        if (e instanceof Unauthorized) throw e;
        return null; // a single node: 404
      }),
    ]);
    const windows = new Map();
    await Promise.all(
      topics.slice(0, 20).map((t) =>
        api('/api/topics/' + encodeURIComponent(t.topic))
          .then((d) => windows.set(t.topic, d.replay))
          .catch(() => {}),
      ),
    );
    const metrics = await api('/metrics').then(counters).catch(() => null);
    const now = performance.now();
    const connections = page.connections.slice().sort(worstFirst);
    let rates = null;
    const dt = last ? (now - last.at) / 1000 : 0;
    if (last && metrics && last.metrics && dt > 0) {
      rates = {
        throughput: Math.max(0, (metrics.delivered - last.metrics.delivered) / dt),
        drops: Math.max(0, (metrics.dropped - last.metrics.dropped) / dt),
      };
    } else if (!metrics) {
      // /metrics is behind metricsToken: the connections' own rates stand in.
      rates = { throughput: connections.reduce((s, c) => s + c.sentPerSec, 0), drops: 0 };
    }
    if (rates) {
      push(history.throughput, rates.throughput);
      push(history.drops, rates.drops);
    }
    push(history.fill, connections.reduce((m, c) => Math.max(m, c.fill), 0));
    push(history.lag, connections.reduce((m, c) => Math.max(m, c.ackLagMs?.p99 ?? 0), 0));
    drawTotals(connections, topics, cluster, rates);
    drawConnections(connections);
    drawTopics(topics, windows, dt);
    drawMembers(cluster);
    for (const [id, s] of Object.entries(history)) drawChart('chart-' + id, s);
    last = { at: now, metrics };
    status.textContent =
      'updated ' + new Date().toLocaleTimeString() + ' (' + Math.round(now - started) + ' ms)';
    status.className = 'status';
    document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
  } catch (e) {
    if (e instanceof Unauthorized) {
      const hadToken = token() != null;
      sessionStorage.removeItem(TOKEN_KEY);
      askForToken(hadToken);
      return;
    }
    status.textContent = 'unreachable: ' + e.message;
    status.className = 'status down';
  }
}

poll();
setInterval(poll, POLL_MS);
