// The CommonJS build (dist/, written by `npm run build`) loads with require and exports what
// the ES module does.
const { test } = require('node:test');
const assert = require('node:assert/strict');

test('require() gives the client and the React binding', async () => {
  const cjs = require('../dist/slipstream.cjs');
  const esm = await import('../src/slipstream.js');
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  assert.equal(typeof cjs.Slipstream, 'function');
  const react = require('../dist/react.cjs');
  assert.equal(typeof react.useTopic, 'function');
  assert.equal(typeof react.topicStore, 'function');
});

test('the package exports map resolves both ways', async () => {
  assert.equal(require.resolve('slipstream-client'), require.resolve('../dist/slipstream.cjs'));
  assert.equal(require.resolve('slipstream-client/react'), require.resolve('../dist/react.cjs'));
  const esm = await import('slipstream-client');
  assert.equal(typeof esm.Slipstream, 'function');
});
