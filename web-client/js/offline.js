// The last-known circles and messages, kept in this browser (localStorage, per user) so
// that a page opened without a connection — from the service worker's app shell
// (sw.js) — still shows them, marked as such. Kept: the circle list and the newest
// MESSAGES of the CHATS chats seen most recently; written a second after a change.
// The circle list is shown from it at once while the server's is on its way; the
// messages only when the server cannot be reached at start; the first connection after
// that drops them and the page renders again from the server (nothing twice, nothing
// stale). Logging out forgets them.

import * as state from './store/state.js';

const PREFIX = 'quanzi.snapshot.';
const MESSAGES = 50;
const CHATS = 12;
const SAVE_AFTER_MS = 1000;

const seen = []; // chat keys, most recent last
let timer = null;
let restored = null; // the chat keys shown from a snapshot, until the server answers

function storage() {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function keyOf() {
  const user = state.session.user;
  return user && user.id ? PREFIX + user.id : null;
}

function touch(chatKey) {
  const at = seen.indexOf(chatKey);
  if (at >= 0) seen.splice(at, 1);
  seen.push(chatKey);
  if (seen.length > CHATS) seen.shift();
}

function save() {
  timer = null;
  const key = keyOf();
  if (!key || restored) return; // never overwrite the snapshot with itself
  const chats = {};
  for (const chatKey of seen) {
    const messages = [...state.chatOf(chatKey).messages.values()].sort((a, b) => a.seq - b.seq);
    if (messages.length) chats[chatKey] = messages.slice(-MESSAGES);
  }
  const snapshot = { saved: Date.now(), circles: [...state.circles.values()], chats };
  try {
    storage()?.setItem(key, JSON.stringify(snapshot));
  } catch {
    // full or refused: the next change tries again
  }
}

function soon(chatKey) {
  if (chatKey) touch(chatKey);
  if (!timer) timer = setTimeout(save, SAVE_AFTER_MS);
}

/** Keep the snapshot current while the session lasts; returns the way to stop. */
export function keep() {
  const stops = [
    state.on('circles', () => soon()),
    state.on('message', (d) => soon(d.circle)),
    state.on('history', (d) => soon(d.circle)),
  ];
  return () => stops.forEach((stop) => stop());
}

function load() {
  const key = keyOf();
  try {
    return key ? JSON.parse(storage()?.getItem(key) || 'null') : null;
  } catch {
    return null;
  }
}

/**
 * The last-known circle list, shown while /me/circles is on its way (on a phone network
 * that is a round trip of half a second); the answer replaces it whole.
 */
export function primeCircles() {
  const snapshot = load();
  if (!snapshot || state.circles.size) return false;
  state.setCircles(snapshot.circles || []);
  return true;
}

/** Show the snapshot (when the server cannot be reached). False when there is none. */
export function restore() {
  const snapshot = load();
  if (!snapshot) return false;
  state.setCircles(snapshot.circles || []);
  restored = Object.keys(snapshot.chats || {});
  for (const chatKey of restored) {
    state.resetChat(chatKey);
    state.addHistory(chatKey, snapshot.chats[chatKey], true);
  }
  note(true);
  return true;
}

export function showingSnapshot() {
  return Boolean(restored);
}

/** The server answers again: drop what the snapshot put in the store. */
export function dropRestored() {
  if (!restored) return false;
  for (const chatKey of restored) state.resetChat(chatKey);
  restored = null;
  note(false);
  return true;
}

/** Log out: this browser keeps nothing of the user's. */
export function forget(userId) {
  if (userId) storage()?.removeItem(PREFIX + userId);
  seen.length = 0;
  restored = null;
  note(false);
}

function note(shown) {
  const el = typeof document === 'undefined' ? null : document.getElementById('offline-note');
  if (el) el.hidden = !shown;
}
