// Opening a socket for the client (slipstream.js): WebSocket (the global one, or `ws` in Node)
// or SockJS, both behind one shape: `send`, `close`, and `onopen`/`onmessage`/`onclose`.

/** Opens a WebSocket to the server of `options.url`; in Node 20 through the `ws` package. */
export async function openWebSocket(options) {
  const WS = options.WebSocket || globalThis.WebSocket || (await nodeWebSocket());
  if (typeof WS !== 'function') {
    throw new Error('no WebSocket in this environment (in Node 20: npm install ws)');
  }
  const url = resolveUrl(options.url, 'websocket');
  const ws = new WS(url);
  const sock = adapt(ws, 'websocket', url);
  ws.onmessage = (e) => sock.onmessage(e.data);
  return sock;
}

/** Opens a SockJS socket (sockjs-client: `options.SockJS` or the global `SockJS`). */
export function openSockJs(options) {
  const SJ = options.SockJS || globalThis.SockJS;
  if (typeof SJ !== 'function') {
    throw new Error('transport sockjs needs sockjs-client loaded (global SockJS)');
  }
  const url = resolveUrl(options.url, 'sockjs');
  const sj = new SJ(url, null, options.sockjsOptions);
  const sock = adapt(sj, 'sockjs', url);
  sj.onmessage = (e) => sock.onmessage(e.data);
  return sock;
}

/**
 * Node 20 has no global WebSocket: the `ws` package (an optional peer dependency) stands in.
 * The specifier is a variable so that bundlers for the browser leave it alone.
 */
let wsModule;
function nodeWebSocket() {
  if (wsModule === undefined) {
    const name = 'ws';
    wsModule = import(name).then(
      (m) => m.WebSocket || (m.default && m.default.WebSocket) || m.default,
      () => undefined,
    );
  }
  return wsModule;
}

/**
 * The endpoint for a transport. A bare origin (or a path of `/ws` or `/sockjs`) gets the
 * transport's standard path; any other path is taken as given. Schemes follow the transport.
 */
function resolveUrl(base, kind) {
  const url = new URL(base, globalThis.location === undefined ? undefined : globalThis.location.href);
  if (url.pathname === '/' || url.pathname === '' || url.pathname === '/ws' || url.pathname === '/sockjs') {
    url.pathname = kind === 'sockjs' ? '/sockjs' : '/ws';
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (kind === 'sockjs') {
    url.protocol = secure ? 'https:' : 'http:';
  } else {
    url.protocol = secure ? 'wss:' : 'ws:';
  }
  return url.toString();
}

/** WebSocket and SockJS behind one shape: send, close, and three callbacks. */
function adapt(socket, kind, url) {
  const sock = {
    kind,
    url,
    opened: false,
    closeMessage: null,
    onopen: () => {},
    onmessage: () => {},
    onclose: () => {},
    send: (text) => socket.send(text),
    close: (code, reason) => socket.close(code, reason),
  };
  socket.onopen = () => sock.onopen();
  socket.onclose = (e) => sock.onclose(e.code, e.reason);
  // An error is always followed by a close, which is where recovery starts.
  socket.onerror = () => {};
  return sock;
}
