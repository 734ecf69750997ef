// The page around the client (slipstream.js): `online`/`offline` from `options.window` and
// `visibilitychange` from `options.document`, where they exist. Single-threaded like all of the
// client; three listeners while the client connects, none after `close()` or a failure.

export class Environment {
  constructor(client) {
    this._client = client;
    this._handlers = null;
    /** The network is down (`offline` event): no attempt until `online`. */
    this.networkDown = false;
  }

  /**
   * Starts (`on`) or stops following the page. Offline, the client gives the socket up at once
   * (a dead network would otherwise take two heartbeats to show) and tries nothing until
   * `online`; back online, or shown again, it probes an open socket or reconnects now.
   */
  listen(on) {
    const c = this._client;
    const win = c.options.window;
    const doc = c.options.document;
    if (on && this._handlers === null) {
      const handlers = {
        offline: () => c._onNetwork(false),
        online: () => c._onNetwork(true),
        visibilitychange: () => {
          if (doc.visibilityState === 'visible') c._wake();
        },
      };
      this._handlers = handlers;
      if (win && typeof win.addEventListener === 'function') {
        win.addEventListener('offline', handlers.offline);
        win.addEventListener('online', handlers.online);
      }
      if (doc && typeof doc.addEventListener === 'function') {
        doc.addEventListener('visibilitychange', handlers.visibilitychange);
      }
      const nav = globalThis.navigator;
      this.networkDown = Boolean(win === globalThis && nav && nav.onLine === false);
    } else if (!on && this._handlers !== null) {
      const handlers = this._handlers;
      this._handlers = null;
      this.networkDown = false;
      if (win && typeof win.removeEventListener === 'function') {
        win.removeEventListener('offline', handlers.offline);
        win.removeEventListener('online', handlers.online);
      }
      if (doc && typeof doc.removeEventListener === 'function') {
        doc.removeEventListener('visibilitychange', handlers.visibilitychange);
      }
    }
  }
}
