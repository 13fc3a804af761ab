// The notification inbox (GET /api/v1/me/notifications): the items this page holds, by
// id (the dedupe key: a push and a catch-up of the same one count once), and the unread
// count. Pushes (`notification`, `notifications_read`) come through sync.js; after every
// welcome the page asks for what came after the newest id it holds (catchUp), so what
// arrived while the socket was down is neither lost nor doubled.

import { EV } from './names.js';
import { emit, on } from './state.js';

const items = new Map(); // id → notification
export const inbox = { unread: 0, loaded: false, more: false };

on(EV.sessionCleared, () => {
  items.clear();
  Object.assign(inbox, { unread: 0, loaded: false, more: false });
  emit(EV.notificationsChanged, {});
});

/** Newest first. */
export function list() {
  return [...items.values()].sort((a, b) => b.id - a.id);
}

export function newestId() {
  let newest = 0;
  for (const id of items.keys()) newest = Math.max(newest, id);
  return newest;
}

export function oldestId() {
  let oldest = 0;
  for (const id of items.keys()) oldest = oldest ? Math.min(oldest, id) : id;
  return oldest;
}

/** Items from the server (a page, a catch-up), and the count it gave. */
export function add(found, unread) {
  const fresh = [];
  for (const item of found) {
    if (!items.has(item.id)) fresh.push(item);
    items.set(item.id, item);
  }
  if (unread != null) inbox.unread = unread;
  emit(EV.notificationsChanged, { fresh });
  return fresh;
}

/** A `notification` push. */
export function pushed(frame) {
  return add([frame.notification], frame.unread);
}

/** Marked read (here, or a `notifications_read` push from another tab). */
export function read({ ids = null, upTo = null, unread = null, at = Date.now() }) {
  for (const item of items.values()) {
    const hit = ids ? ids.includes(item.id) : upTo == null || item.id <= upTo;
    if (hit && item.read == null) item.read = at;
  }
  if (unread != null) inbox.unread = unread;
  emit(EV.notificationsChanged, { fresh: [] });
}

/** "(3) Quanzi": the unread count ahead of a page title (none at 0). */
export function titled(title, unread = inbox.unread) {
  const bare = String(title).replace(/^\(\d+\+?\)\s/, '');
  if (!unread) return bare;
  return `(${unread > 99 ? '99+' : unread}) ${bare}`;
}
