// js/media-key.js: one key in memory, shared by concurrent callers, renewed at `renew`,
// an unexpired key kept while the next cannot be had, dropped with the session.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

const HOUR = 3_600_000;
let now = 1_000 * HOUR;
Date.now = () => now;
let asked = 0;
let reply = null; // (n) => the answer of the n-th request, or an Error to fail it
globalThis.fetch = async () => {
  asked += 1;
  const answer = reply(asked);
  if (answer instanceof Error) throw answer;
  return { ok: true, status: 200, json: async () => answer };
};
const api = await import('../../web-client/js/api.js');
const { mediaUrl, mediaKey, forgetMediaKey } = await import('../../web-client/js/media-key.js');

// The server's windows: 6 h; a key handed out lives to the end of the next window.
function windowed(n) {
  const renew = (Math.floor(now / (6 * HOUR)) + 1) * 6 * HOUR;
  return { key: `k${n}`, expires: renew + 6 * HOUR, renew };
}

beforeEach(() => {
  forgetMediaKey();
  asked = 0;
  reply = windowed;
});

test('a url gets the key; more urls in the window reuse it without asking', async () => {
  assert.equal(await mediaUrl('/api/v1/attachments/a1'), '/api/v1/attachments/a1?key=k1');
  assert.equal(await mediaUrl('/api/v1/attachments/a1/thumb'), '/api/v1/attachments/a1/thumb?key=k1');
  assert.equal(await mediaUrl('/x?download=1'), '/x?download=1&key=k1');
  now += HOUR;
  assert.equal(await mediaKey(), 'k1');
  assert.equal(asked, 1);
});

test('callers at the same moment share one request', async () => {
  const keys = await Promise.all([mediaKey(), mediaKey(), mediaUrl('/a')]);
  assert.deepEqual(keys, ['k1', 'k1', '/a?key=k1']);
  assert.equal(asked, 1);
});

test('at renew the next key is fetched', async () => {
  const first = await mediaKey();
  const { renew } = windowed(0);
  now = renew - 1;
  assert.equal(await mediaKey(), first);
  now = renew;
  assert.equal(await mediaKey(), 'k2');
  assert.equal(asked, 2);
});

test('offline: a key not expired yet still serves; an expired one does not', async () => {
  await mediaKey();
  const { renew, expires } = windowed(0);
  reply = () => new Error('offline');
  now = renew + HOUR;
  assert.equal(await mediaKey(), 'k1');
  now = expires;
  await assert.rejects(mediaKey());
  reply = windowed;
  assert.equal(await mediaKey(), `k${asked}`);
});

test('a clock ahead of the server asks at most once a minute', async () => {
  reply = () => ({ key: 'same', expires: now - HOUR, renew: now - 2 * HOUR });
  await mediaKey();
  now += 30_000;
  await mediaKey();
  assert.equal(asked, 1);
  now += 31_000;
  await mediaKey();
  assert.equal(asked, 2);
});

test('another session (or none) drops the key', async () => {
  await mediaKey();
  api.setToken('another');
  assert.equal(await mediaKey(), 'k2');
  api.events.dispatchEvent(new CustomEvent('unauthenticated'));
  assert.equal(await mediaKey(), 'k3');
  api.setToken(null);
});
