// The public circles I follow without belonging (GET /me/following), each with its latest
// posts and highlights (the first page of GET /circles/{id}/posts), kept current by the
// follow.added / follow.removed events (mine: other tabs, other devices) and by the feed
// events those circles push to my sockets (post.created, post.promoted, edits, deletions).
// A follower gets no chat: nothing here knows of messages.

import { EV } from './names.js';
import { emit, on } from './state.js';

/** How many posts of each followed circle the home page shows. */
export const LATEST = 3;

const followed = new Map(); // circle id → {circle, posts: newest first, at most LATEST}

on(EV.sessionCleared, () => followed.clear());

/** The followed circles, the most recently followed first. */
export function followingList() {
  return [...followed.values()].sort((a, b) => (b.circle.followed || 0) - (a.circle.followed || 0));
}

export function isFollowing(circleId) {
  return followed.has(circleId);
}

/** The list as GET /me/following says (posts already known are kept). */
export function setFollowing(circles) {
  const before = new Map(followed);
  followed.clear();
  for (const circle of circles) {
    followed.set(circle.id, { circle, posts: before.get(circle.id)?.posts || [] });
  }
  emit(EV.followingChanged, {});
}

/** I follow this circle now (my own click: before the list is read again). */
export function nowFollowing(circle) {
  if (!followed.has(circle.id)) followed.set(circle.id, { circle: { ...circle, following: true, followed: Date.now() }, posts: [] });
  emit(EV.followingChanged, { circle: circle.id });
}

export function unfollowed(circleId) {
  if (followed.delete(circleId)) emit(EV.followingChanged, { circle: circleId });
}

/** The newest posts of a followed circle (pinned highlights first, as the server orders). */
export function setLatest(circleId, posts) {
  const entry = followed.get(circleId);
  if (!entry) return;
  entry.posts = posts.filter((p) => !p.deleted).slice(0, LATEST);
  emit(EV.followingChanged, { circle: circleId });
}

/** A feed event of a followed circle: the post goes first (or is replaced, or goes). */
function notePost(ev) {
  const entry = followed.get(ev.circle);
  if (!entry || !ev.post || !ev.post.id) return;
  const others = entry.posts.filter((p) => p.id !== ev.post.id);
  if (ev.kind === 'post.deleted') entry.posts = others;
  else if (entry.posts.length === others.length) entry.posts = [ev.post, ...others].slice(0, LATEST);
  else entry.posts = entry.posts.map((p) => (p.id === ev.post.id ? { ...p, ...ev.post } : p));
  emit(EV.followingChanged, { circle: ev.circle });
}

/** Kinds that change what the home page shows of a followed circle. */
export const FEED_POST_KINDS = new Set(['post.created', 'post.promoted', 'post.edited', 'post.deleted', 'post.pinned']);

/** The follow.* events (about me), and the feed events of followed circles, for store/events.js. */
export function applyFollowEvent(ev) {
  if (ev.kind === 'follow.removed') unfollowed(ev.circle);
  else if (FEED_POST_KINDS.has(ev.kind)) notePost(ev);
  else if (ev.kind === 'circle.updated' && followed.has(ev.circle)) {
    const entry = followed.get(ev.circle);
    entry.circle = { ...entry.circle, ...ev.info, following: true, followed: entry.circle.followed };
    emit(EV.followingChanged, { circle: ev.circle });
  } else if (ev.kind === 'circle.deleted') unfollowed(ev.circle);
}

/** Kinds after which the followed list is read again (a follow made elsewhere). */
export const FOLLOW_KINDS = new Set(['follow.added', 'follow.removed']);
