// The client's event emitter and its guard against app code that throws. Part of the client
// (slipstream.js); single-threaded like all of it.

/**
 * Reports an exception thrown by app code (a listener) without letting it escape: the page's
 * `reportError` where there is one (it shows in the console and in `error` handlers), else
 * `console.error`. Never rethrown: in Node a rethrow from a timer would end the process.
 */
export function report(err) {
  try {
    if (typeof globalThis.reportError === 'function') {
      globalThis.reportError(err);
      return;
    }
  } catch (ignored) {
    // Fall through to the console.
  }
  if (typeof console !== 'undefined') console.error('slipstream: a listener threw', err);
}

/**
 * A minimal event emitter. A listener that throws is reported (as an uncaught error) and does
 * not stop the client or the other listeners: the client's state must never depend on app code.
 */
export class Emitter {
  constructor() {
    this._listeners = new Map();
  }

  /** Adds a listener; returns a function that removes it. */
  on(event, fn) {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, fn);
  }

  /** Adds a listener called at most once. */
  once(event, fn) {
    const off = this.on(event, (...args) => {
      off();
      fn(...args);
    });
    return off;
  }

  off(event, fn) {
    const set = this._listeners.get(event);
    if (set) set.delete(fn);
  }

  _has(event) {
    const set = this._listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  _emit(event, payload) {
    const set = this._listeners.get(event);
    if (!set || set.size === 0) return;
    for (const fn of [...set]) {
      try {
        fn(payload);
      } catch (err) {
        report(err);
      }
    }
  }
}
