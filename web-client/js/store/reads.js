// Read markers per chat (a group id; general's is the circle's), for "read by N" under
// one's own messages: the markers as GET /groups/{id}/reads has them, moved along by `read`
// pushes. Nothing per message: seq S is read by every member whose marker is at S or
// beyond. A group beyond the server's size for read counts (409) has none: `off`.

import { EV } from './names.js';
import { emit, on, session } from './state.js';

const chats = new Map(); // chat → {markers: Map user → seq, members, off, names: Map|null}

on(EV.sessionCleared, () => chats.clear());

function boxOf(chat) {
  if (!chats.has(chat)) chats.set(chat, { markers: new Map(), members: null, off: false, loaded: false, names: null });
  return chats.get(chat);
}

export function readsOf(chat) {
  return boxOf(chat);
}

export function setReads(chat, reads, members) {
  const box = boxOf(chat);
  for (const [user, seq] of Object.entries(reads || {})) {
    if (seq > (box.markers.get(user) || 0)) box.markers.set(user, seq);
  }
  box.members = members;
  box.loaded = true;
  box.off = false;
  emit(EV.readsChanged, { chat });
}

export function turnOff(chat) {
  const box = boxOf(chat);
  box.off = true;
  box.loaded = true;
  emit(EV.readsChanged, { chat });
}

/** A `read` push: the user has read the chat up to seq (markers never move back). */
export function moved(chat, user, seq) {
  const box = boxOf(chat);
  if (typeof seq !== 'number' || seq <= (box.markers.get(user) || 0)) return;
  box.markers.set(user, seq);
  emit(EV.readsChanged, { chat });
}

/** Who else has read seq: user ids (never the viewer). */
export function readersOf(chat, seq) {
  const me = session.user ? session.user.id : null;
  const box = boxOf(chat);
  return [...box.markers].filter(([user, at]) => user !== me && at >= seq).map(([user]) => user);
}

/** Names of the chat's members (user id → name), once loaded for the "who read it" list. */
export function setNames(chat, names) {
  boxOf(chat).names = names;
  emit(EV.readsChanged, { chat });
}
