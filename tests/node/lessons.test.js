// Lessons in the client's store: the live list (the banner) follows lesson.live / ended /
// deleted, a load of GET /me/live-lessons does not take back an event that came while it
// was in flight, and messages are "said during the lesson" by the live chat's seq range.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../web-client/js/api.js';
import { EV } from '../../web-client/js/store/names.js';
import { applyEvent } from '../../web-client/js/store/events.js';
import * as lessons from '../../web-client/js/store/lessons.js';
import * as state from '../../web-client/js/store/state.js';

function event(kind, fields, circle = 'c1') {
  return { t: 'event', circle, rev: 1, ts: 1, kind, ...fields };
}

const lesson = (id, stateName, live = null) => ({ id, circle: 'c1', title: `L ${id}`, state: stateName, live });
const ids = () => lessons.liveLessons().map((l) => l.id);

test('the live list follows lesson events', () => {
  lessons.forget();
  let told = 0;
  const off = state.on(EV.liveLessons, () => { told += 1; });
  applyEvent(event('lesson.created', { lesson: lesson('a', 'scheduled') }));
  assert.deepEqual(ids(), []);
  assert.equal(told, 0, 'a scheduled lesson does not move the banner');
  applyEvent(event('lesson.live', { lesson: lesson('a', 'live', { group: 'c1', started_at: 5, start_seq: 10, ended_at: null, end_seq: null }) }));
  assert.deepEqual(ids(), ['a']);
  applyEvent(event('lesson.ended', { lesson: lesson('a', 'ended', { group: 'c1', started_at: 5, start_seq: 10, ended_at: 9, end_seq: 14 }) }));
  assert.deepEqual(ids(), []);
  applyEvent(event('lesson.live', { lesson: lesson('b', 'live', { group: 'g2', started_at: 6, start_seq: 0, ended_at: null, end_seq: null }) }));
  applyEvent(event('lesson.deleted', { lesson: 'b' }));
  assert.deepEqual(ids(), []);
  assert.equal(told, 4);
  off();
});

test('messages said during a lesson are those of its live chat in its seq range', () => {
  lessons.forget();
  lessons.remember([lesson('a', 'ended', { group: 'c1', start_seq: 10, end_seq: 14 })]);
  assert.equal(lessons.duringLesson('c1', 10), null, 'the seq at the start was said before');
  assert.equal(lessons.duringLesson('c1', 11).id, 'a');
  assert.equal(lessons.duringLesson('c1', 14).id, 'a');
  assert.equal(lessons.duringLesson('c1', 15), null);
  assert.equal(lessons.duringLesson('g9', 12), null, 'another group');
  applyEvent(event('lesson.live', { lesson: lesson('b', 'live', { group: 'g9', start_seq: 3, end_seq: null }) }));
  assert.equal(lessons.duringLesson('g9', 400).id, 'b', 'open while live');
});

test('an event during the load of the live list wins over its answer', async () => {
  lessons.forget();
  const original = globalThis.fetch;
  let answer;
  globalThis.fetch = () => new Promise((resolve) => { answer = resolve; });
  try {
    const loading = lessons.loadLive();
    // The answer was read before the lesson ended; the event comes first.
    applyEvent(event('lesson.ended', { lesson: lesson('a', 'ended', { group: 'c1', start_seq: 1, end_seq: 2 }) }));
    applyEvent(event('lesson.live', { lesson: lesson('c', 'live', { group: 'c1', start_seq: 2, end_seq: null }) }));
    const body = JSON.stringify({ lessons: [lesson('a', 'live', { group: 'c1', start_seq: 1, end_seq: null })] });
    answer(new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } }));
    await loading;
    assert.deepEqual(ids(), ['c']);
  } finally {
    globalThis.fetch = original;
    api.setToken(null);
  }
});

test('leaving a circle takes its live lessons off the banner', () => {
  lessons.forget();
  applyEvent(event('lesson.live', { lesson: lesson('a', 'live', { group: 'c1', start_seq: 1, end_seq: null }) }));
  applyEvent(event('lesson.live', { lesson: { ...lesson('b', 'live', { group: 'c2', start_seq: 1, end_seq: null }), circle: 'c2' } }, 'c2'));
  lessons.leftCircle('c1');
  assert.deepEqual(ids(), ['b']);
});
