// The live-table example: ?topic=orders&transport=websocket|sockjs|auto (default websocket).
// Everything the client library needs fits in the first dozen lines of main(); the rest is DOM.

const SOCKJS_URL = '/webjars/sockjs-client/1.6.1/dist/sockjs.min.js';

const params = new URLSearchParams(location.search);
const topicName = params.get('topic') || 'orders';
const transport = params.get('transport') || 'websocket';
const $ = (id) => document.getElementById(id);

async function main() {
  if (transport !== 'websocket') await loadScript(SOCKJS_URL);
  const { Slipstream } = await import('/slipstream.js');
  const client = new Slipstream({ url: location.origin, transport, traceSize: 500 });
  // Test hook: the browser tests read counters and the trace from here.
  window.__slipstream = client;

  const topic = client.subscribe(topicName);
  topic.on('update', scheduleRender);
  client.on('state', (s) => {
    $('state').textContent = s;
    $('state').dataset.state = s;
    scheduleRender();
  });
  client.on('error', (e) => showError(`${e.code}: ${e.message}`));
  topic.ready.catch((err) => showError(err.message));

  $('topic').textContent = topicName;
  $('transport').textContent = client.transport;

  // One render per frame however fast changes come: the table is rebuilt from topic.rows.
  let scheduled = false;
  function scheduleRender() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      render(client, topic);
    });
  }
}

function render(client, topic) {
  const p = topic.position;
  $('epoch').textContent = p ? p.epoch : '-';
  $('seq').textContent = p ? String(p.seq) : '-';
  $('count').textContent = String(topic.rows.size);
  $('transport').textContent = client.transport;
  $('reconnects').textContent = String(client.stats.reconnects);
  $('resumes').textContent = String(client.stats.resumes);
  $('gaps').textContent = String(client.stats.gapsHealed);
  $('resets').textContent = String(client.stats.resets);
  $('duplicates').textContent = String(client.stats.duplicatesDropped);
  const keys = [...topic.rows.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const body = document.createElement('tbody');
  for (const key of keys) {
    const tr = document.createElement('tr');
    tr.dataset.key = key;
    const k = document.createElement('td');
    k.className = 'key';
    k.textContent = key;
    const r = document.createElement('td');
    r.className = 'row';
    r.textContent = JSON.stringify(topic.rows.get(key));
    tr.append(k, r);
    body.append(tr);
  }
  $('rows').tBodies[0].replaceWith(body);
}

function showError(message) {
  $('error').hidden = false;
  $('error').textContent = message;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

main().catch((err) => showError(err.message));
