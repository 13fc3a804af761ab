// Where a notification takes the member: the circle's page, and in it exactly what the
// notification is about — a chat message in its context (history loaded back to it, as a
// search result opens it), a post in the feed, a tab (the course for a lesson, events,
// challenges), or a page of its own (a homework review, one's reports).

import * as api from '../api.js';
import { EV } from '../store/names.js';
import * as notes from '../store/notifications.js';
import * as state from '../store/state.js';

const TABS_OF_ITEMS = { lesson: 'course', gathering: 'events', checkin: 'challenges', streak: 'challenges', homework: 'homework', webhook: 'settings' };
let aimed = null; // the target the next circle page opens

/** {circle, hash, open?}: open is what circle.js's openResult takes ({kind, group, seq,
 *  post}) or {kind: 'tab', tab}; null for a notification with nothing to open. */
export function targetOf(item) {
  const a = item.about || {};
  const circle = item.circle;
  const page = `#/c/${encodeURIComponent(circle)}`;
  if (item.kind === 'review' && a.assignment) {
    return { circle, hash: `${page}/homework/${encodeURIComponent(a.assignment)}/${encodeURIComponent(a.submission)}` };
  }
  if (item.kind === 'moderation' && a.report) return { circle, hash: '#/reports' };
  if (item.kind === 'join' && a.state !== 'approved') return null;
  if (a.seq != null) return { circle, hash: page, open: { kind: 'message', group: a.group || circle, seq: a.seq } };
  if (a.post) return { circle, hash: page, open: { kind: a.comment ? 'comment' : 'post', post: a.post } };
  if (a.item && TABS_OF_ITEMS[a.item.kind]) return { circle, hash: page, open: { kind: 'tab', tab: TABS_OF_ITEMS[a.item.kind] } };
  return { circle, hash: page };
}

/** Go there: the page, then (circle.js takes it) the thing on it. `replace`: in place of
 *  the page shown in the history (#/n/<id>, which would open it again on Back). */
export function aimAt(target, { replace = false } = {}) {
  aimed = target.open ? target : null;
  if (location.hash === target.hash) {
    if (aimed) state.emit(EV.aimed, { circle: target.circle });
    return;
  }
  if (replace) location.replace(target.hash);
  else location.hash = target.hash;
}

/** #/n/<id>, where a push or an email leads: that notification opened as the inbox opens it,
 *  and read; home when it is gone (pruned, or another account's). */
export async function openNotification(id) {
  let item = null;
  try {
    const page = await api.notifications({ after: id - 1, limit: 1 });
    item = page.notifications.find((n) => n.id === id) || null;
  } catch {
    // offline or signed out: home, where the inbox catches up
  }
  if (!location.hash.startsWith('#/n/')) return; // the member went elsewhere meanwhile
  if (!item) {
    location.replace('#/');
    return;
  }
  aimAt(targetOf(item) || { circle: item.circle, hash: `#/c/${encodeURIComponent(item.circle)}` }, { replace: true });
  if (item.read == null) {
    try {
      notes.read({ ids: [item.id], unread: (await api.markNotificationRead(item.id)).unread });
    } catch {
      // it stays unread; the next catch-up has the server's count
    }
  }
}

/** The circle page's part: what it should open now, once. */
export function takeAim(circleId) {
  if (!aimed || aimed.circle !== circleId) return null;
  const { open } = aimed;
  aimed = null;
  return open;
}
