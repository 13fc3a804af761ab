// actions.js: what views ask for, by name — the frames it sends and what lands in the store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as actions from '../../web-client/js/actions.js';
import * as state from '../../web-client/js/store/state.js';

/** A socket that records what it was asked and answers requests from a table. */
function fakeSocket(answers = {}) {
  const asked = [];
  return {
    asked,
    state: 'online',
    join: async (circle, group) => { asked.push({ t: 'join', circle, group }); return null; },
    leave: (circle, group) => asked.push({ t: 'leave', circle, group }),
    say: (circle, text, replyTo, group) => { asked.push({ t: 'say', circle, text, replyTo, group }); return `n${asked.length}`; },
    forget: (nonce) => asked.push({ t: 'forget', nonce }),
    send: (frame) => { asked.push(frame); return true; },
    typing: (circle, group) => { asked.push({ t: 'typing', circle, group }); return true; },
    request: async (frame) => { asked.push(frame); return answers[frame.t] ? answers[frame.t](frame) : {}; },
  };
}

test('without a socket, socket actions fail as offline', async () => {
  actions.useSocket(null);
  assert.throws(() => actions.sendMessage('c1', null, 'hi'), { code: 'offline' });
  await assert.rejects(actions.loadOlder('c1', null, 10), { code: 'offline' });
  assert.equal(actions.markRead('c1', null, 3), false);
});

test('a message is pending in the store with its nonce; too long is refused before sending', () => {
  const socket = fakeSocket();
  actions.useSocket(socket);
  state.resetChat('g7');
  const nonce = actions.sendMessage('c1', 'g7', 'hello', 4);
  assert.deepEqual(socket.asked.at(-1), { t: 'say', circle: 'c1', text: 'hello', replyTo: 4, group: 'g7' });
  assert.deepEqual(state.pendingOf('g7').map((p) => [p.nonce, p.text, p.reply_to]), [[nonce, 'hello', 4]]);
  actions.discardMessage('c1', 'g7', nonce);
  assert.deepEqual(state.pendingOf('g7'), []);

  state.setLimits({ text_chars: 5 });
  assert.equal(actions.maxTextChars(), 5);
  assert.doesNotThrow(() => actions.sendMessage('c1', null, '你好你好你'));
  assert.throws(() => actions.sendMessage('c1', null, 'toolong'), { code: 'too_big', params: { max: 5 } });
  state.setLimits({ text_chars: 4000 });
});

test('history, stars and read markers: the frames, and the answers in the store', async () => {
  const from = { id: 'u2', name: 'Bob' };
  const socket = fakeSocket({
    history: (f) => ({ messages: [{ seq: f.before - 1, text: 'old', from }], more: true }),
    star: () => ({ stars: 3 }),
  });
  actions.useSocket(socket);
  actions.openChat('c2');
  const page = await actions.loadOlder('c2', null, 10, 20);
  assert.deepEqual(socket.asked.at(-1), { t: 'history', circle: 'c2', before: 10, limit: 20 });
  assert.equal(page.more, true);
  assert.deepEqual(state.messagesOf('c2').map((m) => m.seq), [9]);
  assert.equal((await actions.fetchMessage('c2', 'g3', 5)).seq, 5);
  assert.deepEqual(socket.asked.at(-1), { t: 'history', circle: 'c2', group: 'g3', before: 6, limit: 1 });

  await actions.setStar('c2', 'c2', 9, true);
  assert.deepEqual(socket.asked.at(-1), { t: 'star', circle: 'c2', seq: 9 });
  assert.deepEqual(state.chatOf('c2').stars.get(9), { count: 3, mine: true });

  assert.equal(actions.markRead('c2', 'g3', 9), true);
  assert.deepEqual(socket.asked.at(-1), { t: 'read', circle: 'c2', group: 'g3', seq: 9 });
  actions.closeChat('c2');
  assert.deepEqual(socket.asked.at(-1), { t: 'leave', circle: 'c2', group: null });
});

test('joinChat joins without emptying the chat; it never rejects, even offline', async () => {
  const socket = fakeSocket();
  socket.join = async (circle, group) => { socket.asked.push({ t: 'join', circle, group }); throw new Error('offline'); };
  actions.useSocket(socket);
  state.resetChat('c5');
  state.addHistory('c5', [{ seq: 1, text: 'kept', from: { id: 'u1', name: 'A' } }], false);
  assert.equal(await actions.joinChat('c5'), null);
  assert.deepEqual(socket.asked.at(-1), { t: 'join', circle: 'c5', group: null });
  assert.deepEqual(state.messagesOf('c5').map((m) => m.text), ['kept']);
  await actions.joinChat('c5', 'g9');
  assert.deepEqual(socket.asked.at(-1), { t: 'join', circle: 'c5', group: 'g9' });
  await actions.joinChat('c5', 'c5');
  assert.deepEqual(socket.asked.at(-1), { t: 'join', circle: 'c5', group: null });

  state.resetChat('g9');
  await actions.openChat('c5', 'g9');
  assert.deepEqual(socket.asked.at(-1), { t: 'join', circle: 'c5', group: 'g9' });
  actions.closeChat('c5', 'g9');
  assert.deepEqual(socket.asked.at(-1), { t: 'leave', circle: 'c5', group: 'g9' });

  actions.useSocket(null);
  assert.equal(await actions.joinChat('c5'), null);
  assert.doesNotThrow(() => actions.closeChat('c5'));
});

test('setStar false sends unstar; typing goes out with the group', async () => {
  const socket = fakeSocket({ unstar: () => ({ stars: 0 }) });
  actions.useSocket(socket);
  state.resetChat('c6');
  await actions.setStar('c6', null, 4, false);
  assert.deepEqual(socket.asked.at(-1), { t: 'unstar', circle: 'c6', seq: 4 });
  assert.deepEqual(state.chatOf('c6').stars.get(4), { count: 0, mine: false });
  assert.equal(actions.typing('c6', 'g1'), true);
  assert.deepEqual(socket.asked.at(-1), { t: 'typing', circle: 'c6', group: 'g1' });
  actions.useSocket(null);
  assert.equal(actions.typing('c6'), false);
});
