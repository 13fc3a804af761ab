// Keeps the state in step with the server: socket pushes and replies go into the state;
// after every reconnect, posts changed meanwhile are fetched (`posts?since=`) and the
// circle list (unread and must-read badges) is refreshed.

import * as api from './api.js';
import * as state from './store/state.js';

let refreshTimer = null;

/** Refresh /me/circles soon; many pushes in a burst make one request. */
export function refreshCircles(delayMs = 300) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    try {
      const { circles } = await api.myCircles();
      state.setCircles(circles);
    } catch {
      // offline: the next reconnect refreshes
    }
  }, delayMs);
}

export async function loadCircles() {
  const { circles } = await api.myCircles();
  state.setCircles(circles);
  return circles;
}

/** Posts of a circle changed since what we last saw (or the first page when none yet). */
export async function catchUpPosts(circleId) {
  const box = state.postsOf(circleId);
  if (!box.loaded) return loadPosts(circleId);
  const { posts } = await api.postsSince(circleId, box.maxUpdated);
  state.upsertPosts(circleId, posts);
  return posts;
}

export async function loadPosts(circleId, { more = false } = {}) {
  const box = more ? state.postsOf(circleId) : state.resetPosts(circleId);
  const page = await api.posts(circleId, more ? box.next : undefined);
  box.loaded = true;
  box.next = page.next || null;
  state.upsertPosts(circleId, page.posts || []);
  state.emit('posts', { circle: circleId });
  return page;
}

export function connectSocket(socket) {
  state.setConnection(socket.state);
  socket.addEventListener('state', (event) => state.setConnection(event.detail.state));
  socket.addEventListener('push', (event) => onPush(event.detail));
  socket.addEventListener('joined', (event) => {
    const f = event.detail;
    state.joined(f.circle, f.last_seq, f.online);
  });
  socket.addEventListener('said', (event) => {
    const { circle, nonce, seq, ts } = event.detail;
    state.confirmPending(circle, nonce, seq, ts);
  });
  socket.addEventListener('say-failed', (event) => {
    const { circle, nonce, message } = event.detail;
    state.failPending(circle, nonce, message);
  });
  socket.addEventListener('join-failed', (event) => {
    state.emit('left', { circle: event.detail.circle, reason: event.detail.code });
  });
  socket.addEventListener('welcome', (event) => {
    refreshCircles(0); // badges, and the list itself if the first load found us offline
    if (!event.detail.again) return;
    // Highlight pushes sent while we were away are lost: fetch what changed.
    for (const circleId of socket.joined) catchUpPosts(circleId).catch(() => {});
  });
}

function onPush(frame) {
  switch (frame.t) {
    case 'msg':
      state.addMessage(frame.circle, frame, { live: true });
      break;
    case 'highlight':
      if (frame.post) state.upsertPost(frame.circle, frame.post, { fromPush: true });
      state.emit('highlight', frame);
      refreshCircles(); // must-read badges
      break;
    case 'presence':
      state.setOnline(frame.circle, frame.online);
      break;
    case 'gap':
      state.addGap(frame.circle, frame.from_seq, frame.to_seq);
      break;
    case 'left':
      state.emit('left', { circle: frame.circle, reason: frame.reason });
      refreshCircles(0);
      break;
    case 'bye':
      state.emit('bye', { reason: frame.reason });
      break;
    default:
      break; // a newer server's push: ignore what we do not know
  }
}
