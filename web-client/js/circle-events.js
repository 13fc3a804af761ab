// A circle's events, in rev order and each once. Every open circle has a cursor: the last
// rev applied, starting at the circle's `last_rev` (read before its posts). Live events
// are held back while a load or a catch-up is in flight and applied after it, in rev
// order; an event at or below the cursor is skipped. After every welcome the open circles
// catch up with GET /circles/{id}/events?after=<rev>; `reset` reloads the circle.
// Revs may jump (events for a restricted audience are not sent to others): not an error.

import * as api from './api.js';
import { loadCircleInfo, loadComments, loadMembers, loadPosts, loadReceipts, refreshCircles, refreshFollowing } from './loaders.js';
import * as comments from './store/comments.js';
import { FOLLOW_KINDS } from './store/follows.js';
import { applyEvent, BADGE_KINDS } from './store/events.js';
import * as members from './store/members.js';
import * as receipts from './store/receipts.js';
import * as state from './store/state.js';

const PAGE = 200;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;

const cursors = new Map(); // circle id → {rev, holds, queue, wanted, running, wake}

/** An `event` push. A circle not open only updates its place in the list (counts, name). */
export function receive(ev) {
  if (BADGE_KINDS.has(ev.kind) || joinedAnew(ev)) refreshCircles();
  if (FOLLOW_KINDS.has(ev.kind)) refreshFollowing();
  const cursor = cursors.get(ev.circle);
  if (!cursor) applyEvent(ev);
  else if (cursor.holds > 0 || cursor.rev == null) cursor.queue.push(ev);
  else deliver(cursor, ev);
}

/** The user was let into a circle not in their list (a join request approved). */
function joinedAnew(ev) {
  const me = state.session.user ? state.session.user.id : null;
  return ev.kind === 'member.joined' && ev.member && ev.member.user === me && !state.circles.has(ev.circle);
}

function deliver(cursor, ev) {
  if (typeof ev.rev !== 'number' || ev.rev <= cursor.rev) return;
  cursor.rev = ev.rev;
  applyEvent(ev);
}

function drain(circleId, cursor) {
  if (cursors.get(circleId) !== cursor || cursor.holds > 0 || cursor.rev == null) return;
  const queued = cursor.queue.sort((a, b) => a.rev - b.rev);
  cursor.queue = [];
  for (const ev of queued) deliver(cursor, ev);
}

async function holding(circleId, cursor, fn) {
  cursor.holds += 1;
  try {
    return await fn();
  } finally {
    cursor.holds -= 1;
    drain(circleId, cursor);
  }
}

/**
 * Open a circle: its map (whose last_rev starts the cursor; onInfo gets it at once), then
 * its posts, live events held back until both are in. A failure to load the posts is
 * thrown with `during: 'posts'`.
 */
export async function openCircle(circleId, { onInfo = () => {} } = {}) {
  const cursor = { rev: null, holds: 0, queue: [], wanted: false, running: false, wake: null };
  cursors.set(circleId, cursor);
  let info;
  try {
    info = await holding(circleId, cursor, async () => {
      const circle = await loadCircleInfo(circleId).catch((err) => {
        forget(circleId, cursor);
        throw err;
      });
      cursor.rev = circle.last_rev || 0;
      onInfo(circle);
      await loadPosts(circleId).catch((err) => {
        err.during = 'posts';
        throw err;
      });
      return circle;
    });
  } finally {
    if (cursor.wanted) catchUp(circleId); // a welcome came while it loaded
  }
  return info;
}

export function closeCircle(circleId) {
  forget(circleId, cursors.get(circleId));
}

/** Stop following with this cursor (a page opened again since has a cursor of its own). */
function forget(circleId, cursor) {
  if (!cursor || cursors.get(circleId) !== cursor) return;
  cursors.delete(circleId);
  if (cursor.wake) cursor.wake();
}

/** Fetch what the open circles missed (after a welcome). */
export function catchUpAll() {
  for (const circleId of cursors.keys()) catchUp(circleId);
}

export function catchUp(circleId) {
  const cursor = cursors.get(circleId);
  if (!cursor) return;
  cursor.wanted = true;
  if (cursor.wake) cursor.wake();
  if (!cursor.running && cursor.rev != null) run(circleId, cursor);
}

async function run(circleId, cursor) {
  cursor.running = true;
  let delay = FIRST_RETRY_MS;
  try {
    await holding(circleId, cursor, async () => {
      while (cursor.wanted && cursors.get(circleId) === cursor) {
        cursor.wanted = false;
        try {
          await fetchAfter(circleId, cursor);
          delay = FIRST_RETRY_MS;
        } catch (err) {
          if (err.status === 403 || err.status === 404) return; // access lost: `left` says so
          cursor.wanted = true; // live events stay held: applying them would skip the gap
          await pause(cursor, delay);
          delay = Math.min(delay * 2, MAX_RETRY_MS);
        }
      }
    });
  } finally {
    cursor.running = false;
  }
}

function pause(cursor, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    cursor.wake = done;
    function done() {
      clearTimeout(timer);
      cursor.wake = null;
      resolve();
    }
  });
}

async function fetchAfter(circleId, cursor) {
  let after = cursor.rev;
  for (;;) {
    const page = await api.circleEvents(circleId, after, PAGE);
    if (cursors.get(circleId) !== cursor) return;
    if (page.reset) {
      await reload(circleId, cursor, page.last_rev);
      return;
    }
    const events = page.events || [];
    for (const ev of events) deliver(cursor, ev);
    // `next` is where this page ended, even when none of its events were for us to see.
    const next = typeof page.next === 'number' ? page.next : events.length ? events[events.length - 1].rev : null;
    if (!page.more || next == null || next <= after) return;
    after = next;
  }
}

/** The log no longer reaches back to our cursor: load the circle afresh from last_rev. */
async function reload(circleId, cursor, lastRev) {
  const threads = comments.loadedThreads().filter((id) => state.postById(circleId, id));
  const panels = receipts.loadedReceipts().filter((id) => state.postById(circleId, id));
  cursor.rev = lastRev;
  await loadCircleInfo(circleId);
  await loadPosts(circleId);
  const stillThere = (id) => Boolean(state.postById(circleId, id));
  await Promise.all([
    ...threads.map((id) => (stillThere(id) ? loadComments(id) : comments.dropThread(id))),
    ...panels.map((id) => (stillThere(id) ? loadReceipts(id) : receipts.dropReceipts(id))),
    members.membersOf(circleId) ? loadMembers(circleId) : null,
  ]);
}
