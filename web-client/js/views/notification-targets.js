// Where a notification takes the member: the circle's page, and in it exactly what the
// notification is about — a chat message in its context (history loaded back to it, as a
// search result opens it), a post in the feed, a tab (the course for a lesson, events,
// challenges), or a page of its own (a homework review, one's reports).

import { EV } from '../store/names.js';
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

/** Go there: the page, then (circle.js takes it) the thing on it. */
export function aimAt(target) {
  aimed = target.open ? target : null;
  if (location.hash === target.hash) {
    if (aimed) state.emit(EV.aimed, { circle: target.circle });
    return;
  }
  location.hash = target.hash;
}

/** The circle page's part: what it should open now, once. */
export function takeAim(circleId) {
  if (!aimed || aimed.circle !== circleId) return null;
  const { open } = aimed;
  aimed = null;
  return open;
}
