// The durable side of a circle next to its chat: must-reads still to acknowledge, pinned
// posts in the owner's order, other highlights. Owners and admins reorder pins and follow
// who has read a must-read (receipts, refreshed while open).

import * as api from '../api.js';
import { fill, h, rememberFocus, renderSoon, toast } from '../dom.js';
import * as state from '../store/state.js';
import { postCard } from './post.js';

const RECEIPTS_POLL_MS = 2500;

export function highlightsView(circleId) {
  const body = h('div', { class: 'highlights-body' });
  const el = h('section', { class: 'panel highlights', testid: 'panel-highlights', 'aria-label': 'Highlights' },
    h('div', { class: 'panel-head' }, h('h2', { text: 'Highlights' })), body);
  const receipts = new Map(); // post id → receipts data or 'loading' (open panels)
  let pollTimer = null;

  const actions = {
    toggleReceipts(postId) {
      if (receipts.has(postId)) receipts.delete(postId);
      else {
        receipts.set(postId, 'loading');
        fetchReceipts(postId);
      }
      render();
      schedulePoll();
    },
    move,
    toggleComments() {},
    comment() {},
  };

  async function fetchReceipts(postId) {
    try {
      const data = await api.receipts(postId);
      if (!receipts.has(postId)) return;
      receipts.set(postId, data);
      render();
    } catch (err) {
      if (err.code !== 'offline') toast(err.message);
    }
  }

  function schedulePoll() {
    clearInterval(pollTimer);
    if (receipts.size === 0) return;
    // Acknowledgements are not pushed: while receipts are open, ask again now and then.
    pollTimer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      for (const postId of receipts.keys()) fetchReceipts(postId);
    }, RECEIPTS_POLL_MS);
  }

  async function move(postId, step) {
    const order = state.highlightsOf(circleId).pinOrder.map((p) => p.id);
    const at = order.indexOf(postId);
    const to = at + step;
    if (at < 0 || to < 0 || to >= order.length) return;
    [order[at], order[to]] = [order[to], order[at]];
    try {
      const reply = await api.reorderPins(circleId, order);
      const list = Array.isArray(reply) ? reply : reply && reply.posts;
      if (list) state.upsertPosts(circleId, list);
      else {
        order.forEach((id, index) => {
          const post = state.postsOf(circleId).byId.get(id);
          if (post) state.upsertPost(circleId, { ...post, pin_order: index + 1 });
        });
      }
    } catch (err) {
      toast(err.message);
    }
  }

  function section(title, testid, posts, { numbered = false } = {}) {
    if (posts.length === 0) return null;
    const pinOrder = state.highlightsOf(circleId).pinOrder.map((p) => p.id); // ↑/↓ move in it
    const tag = numbered ? 'ol' : 'ul';
    return h('section', { class: 'hl-section', testid: `${testid}-section` },
      h('h3', { text: title }),
      h(tag, { class: 'post-list', testid }, posts.map((post) => postCard(circleId, post, {
        context: 'highlights',
        first: pinOrder[0] === post.id,
        last: pinOrder[pinOrder.length - 1] === post.id,
        receipts: receipts.get(post.id),
        actions,
      }))));
  }

  function render() {
    const restore = rememberFocus(body);
    const { mustRead, pinned, recent } = state.highlightsOf(circleId);
    const box = state.postsOf(circleId);
    const empty = mustRead.length + pinned.length + recent.length === 0;
    fill(body,
      section('Must read', 'mustread-list', mustRead),
      section('Pinned', 'pinned-list', pinned, { numbered: true }),
      section('Highlights from the chat', 'recent-list', recent),
      empty
        ? h('p', { class: 'muted', testid: 'highlights-empty', text: box.loaded ? 'Nothing here yet. Star a chat message (☆) to vote it into a highlight.' : 'Loading…' })
        : null);
    for (const postId of [...receipts.keys()]) {
      if (!box.byId.has(postId) || !box.byId.get(postId).must_read) receipts.delete(postId);
    }
    restore();
  }

  const scheduleRender = renderSoon(render);

  const offs = [
    state.on('posts', (d) => d.circle === circleId && scheduleRender()),
    state.on('circles', scheduleRender), // the role may have changed
  ];
  render();
  return {
    el,
    destroy() {
      clearInterval(pollTimer);
      for (const off of offs) off();
    },
  };
}
