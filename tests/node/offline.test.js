// js/offline.js: the last-known circles and messages, per user, restored offline and
// dropped when the server answers again.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

const stored = new Map();
globalThis.localStorage = {
  getItem: (k) => (stored.has(k) ? stored.get(k) : null),
  setItem: (k, v) => stored.set(k, String(v)),
  removeItem: (k) => stored.delete(k),
};

const state = await import('../../web-client/js/store/state.js');
const offline = await import('../../web-client/js/offline.js');

const msg = (seq, text) => ({ circle: 'c1', seq, ts: seq * 1000, from: { id: 'u1', name: '安' }, text });

test('a second after a change the circles and the newest messages are kept, per user', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  state.saveSession('token', { id: 'u1', name: '安' });
  const stop = offline.keep();
  state.setCircles([{ id: 'c1', name: '读书打卡', role: 'member' }]);
  for (let seq = 1; seq <= 60; seq += 1) state.addMessage('c1', msg(seq, `m${seq}`), { live: true });
  assert.equal(stored.get('quanzi.snapshot.u1'), undefined);
  mock.timers.tick(1000);
  const snapshot = JSON.parse(stored.get('quanzi.snapshot.u1'));
  assert.deepEqual(snapshot.circles.map((c) => c.name), ['读书打卡']);
  assert.deepEqual(snapshot.chats.c1.map((m) => m.seq), Array.from({ length: 50 }, (_, i) => i + 11));
  stop();
  mock.timers.reset();
});

test('offline, the snapshot fills the store once; back online it makes way', () => {
  state.resetChat('c1');
  state.setCircles([]);
  assert.equal(offline.primeCircles(), true);
  assert.deepEqual([...state.circles.keys()], ['c1']);
  assert.equal(offline.restore(), true);
  assert.equal(offline.showingSnapshot(), true);
  assert.equal(state.chatOf('c1').messages.size, 50);
  // The same messages arriving again are not doubled (seq is the key).
  state.addHistory('c1', [msg(60, 'm60')], true);
  assert.equal(state.chatOf('c1').messages.size, 50);
  assert.equal(offline.dropRestored(), true);
  assert.equal(state.chatOf('c1').messages.size, 0);
  assert.equal(offline.showingSnapshot(), false);
  assert.equal(offline.dropRestored(), false);
});

test('logging out forgets the snapshot', () => {
  offline.forget('u1');
  assert.equal(stored.get('quanzi.snapshot.u1'), undefined);
  assert.equal(offline.restore(), false);
});
