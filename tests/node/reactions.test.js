// store/reactions.js: a fetch of a range's counts answered after a live event does not
// undo the event (the race that lost a click on a reaction chip).
import { test } from 'node:test';
import assert from 'node:assert/strict';

let answer = null;
globalThis.fetch = () => new Promise((resolve) => { answer = resolve; });
const reactions = await import('../../web-client/js/store/reactions.js');

const json = (body) => ({ ok: true, status: 200, json: async () => body });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test('an event during a fetch wins for its emoji; the fetch fills in the rest', async () => {
  const target = { group: 'g1', seq: 7 };
  reactions.want('g1', 7);
  await tick(); // the batch's request is on its way
  assert.ok(answer, 'a request was made');
  // Meanwhile: Bob's 🎉 (count 1), then mine (count 2), and 👍 withdrawn to 0.
  reactions.applyChange({ target, emoji: '🎉', user: 'bob', on: true, count: 1 }, 'me');
  reactions.applyChange({ target, emoji: '🎉', user: 'me', on: true, count: 2 }, 'me');
  reactions.applyChange({ target, emoji: '👍', user: 'cai', on: false, count: 0 }, 'me');
  // The answer was made before all that: no 🎉, 👍 ×1, and ❤️ ×3 the page did not know.
  answer(json({ messages: [{ seq: 7, reactions: [{ emoji: '👍', count: 1, mine: false }, { emoji: '❤️', count: 3, mine: false }] }] }));
  await tick();
  await tick();
  const shown = Object.fromEntries(reactions.reactionsOf(target).map((r) => [r.emoji, [r.count, r.mine]]));
  assert.deepEqual(shown, { '🎉': [2, true], '❤️': [3, false] });
  assert.equal(reactions.mineOf(target, '🎉'), true);
});
