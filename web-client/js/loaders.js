// HTTP reads into the store: the circle list, a circle's map and posts, and the paginated
// lists (comments, receipts, members) — first page or the next one. Live changes come as
// events afterwards (circle-events.js); nothing here polls.

import * as api from './api.js';
import * as comments from './store/comments.js';
import * as follows from './store/follows.js';
import { EV } from './store/names.js';
import * as joinRequests from './store/join-requests.js';
import * as members from './store/members.js';
import * as notes from './store/notifications.js';
import * as receipts from './store/receipts.js';
import * as state from './store/state.js';

let refreshTimer = null;

/** Refresh /me/circles soon; many changes in a burst make one request. */
export function refreshCircles(delayMs = 300) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    try {
      const asked = state.membershipNow();
      const { circles } = await api.myCircles();
      state.setCircles(circles, asked);
    } catch {
      // offline: the next reconnect refreshes
    }
  }, delayMs);
}

let followingTimer = null;

/** Read the circles I follow again soon, with each one's latest posts. */
export function refreshFollowing(delayMs = 300) {
  clearTimeout(followingTimer);
  followingTimer = setTimeout(() => loadFollowing().catch(() => {}), delayMs);
}

/** GET /me/following (one page: the home page's section), then each circle's latest posts. */
export async function loadFollowing() {
  const { circles } = await api.following();
  follows.setFollowing(circles);
  await Promise.all(circles.map(async (circle) => {
    const page = await api.posts(circle.id).catch(() => null);
    if (page) follows.setLatest(circle.id, page.posts || []);
  }));
  return circles;
}

export async function loadCircles() {
  const asked = state.membershipNow();
  const { circles } = await api.myCircles();
  state.setCircles(circles, asked);
  return circles;
}

export async function loadCircleInfo(circleId) {
  const info = await api.circle(circleId);
  state.setCircleInfo(circleId, info);
  return info;
}

export async function loadPosts(circleId, { more = false } = {}) {
  const box = more ? state.postsOf(circleId) : state.resetPosts(circleId);
  const page = await api.posts(circleId, more ? box.next : undefined);
  box.loaded = true;
  box.next = page.next || null;
  state.upsertPosts(circleId, page.posts || []);
  state.emit(EV.postsChanged, { circle: circleId });
  return page;
}

const listOf = (reply, key) => (Array.isArray(reply) ? reply : (reply && reply[key]) || []);

export async function loadComments(postId, { more = false } = {}) {
  const thread = comments.threadOf(postId);
  const reply = await api.comments(postId, more && thread ? thread.next : undefined);
  comments.addPage(postId, listOf(reply, 'comments'), reply && reply.next, { first: !more });
}

export async function loadReceipts(postId, { more = false } = {}) {
  const known = receipts.receiptsOf(postId);
  const page = await api.receipts(postId, more && known ? known.next : undefined);
  receipts.addPage(postId, page || {}, { first: !more });
}

/** A page of the pending join requests (owners and admins), and how many wait. */
export async function loadJoinRequests(circleId, cursor, q) {
  const reply = await api.joinRequests(circleId, cursor, q || undefined);
  joinRequests.setPending(circleId, reply.pending);
  return reply;
}

const searches = new Map(); // circle id → the member search asked last

/** A page of members; `q` (first page) searches names; later pages keep the search. */
export async function loadMembers(circleId, { more = false, q } = {}) {
  const query = more ? members.queryOf(circleId) : (q ?? searches.get(circleId) ?? '');
  if (!more) searches.set(circleId, query);
  const reply = await api.members(circleId, more ? members.nextOf(circleId) : undefined, query || undefined);
  if (searches.get(circleId) !== query) return; // a newer search was asked meanwhile
  members.addPage(circleId, listOf(reply, 'members'), reply && reply.next, { first: !more, q: query });
}

let catchingUp = null;

/** The inbox after a (re)connect: the first page the first time, then every notification
 *  after the newest held, page by page (nothing lost while away; ids dedupe, nothing doubled). */
export function catchUpNotifications() {
  if (catchingUp) return catchingUp;
  catchingUp = (async () => {
    try {
      if (!notes.inbox.loaded) {
        const page = await api.notifications({ limit: 30 });
        notes.inbox.loaded = true;
        notes.inbox.more = page.more;
        notes.add(page.notifications, page.unread);
        return;
      }
      for (;;) {
        const page = await api.notifications({ after: notes.newestId(), limit: 200 });
        notes.add(page.notifications, page.unread);
        if (!page.more) return;
      }
    } catch {
      // offline: the next welcome asks again
    } finally {
      catchingUp = null;
    }
  })();
  return catchingUp;
}

/** Older notifications than the oldest held (the panel's "more"). */
export async function olderNotifications() {
  const page = await api.notifications({ before: notes.oldestId() || undefined, limit: 30 });
  notes.inbox.more = page.more;
  notes.add(page.notifications, page.unread);
}
