// The durable side of a circle next to its chat: must-reads still to acknowledge, pinned
// posts in the owner's order, other highlights. Owners and admins reorder pins and follow
// who has read a must-read (receipts: moved along by post.acked events, never polled).

import * as api from '../api.js';
import { fill, h, rememberFocus, renderSoon, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import * as state from '../store/state.js';
import { openPanels } from './panels.js';
import { postCard } from './post.js';
import { EV } from '../store/names.js';

export function highlightsView(circleId) {
  const body = h('div', { class: 'highlights-body' });
  const el = h('section', { class: 'panel highlights', testid: 'panel-highlights', 'aria-label': t('posts.highlights') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('posts.highlights') })), body);
  const scheduleRender = renderSoon(render);
  const panels = openPanels(scheduleRender);

  const actions = {
    toggleReceipts: panels.toggleReceipts,
    move,
    toggleComments() {},
  };

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
      toast(errorText(err));
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
        receiptsOpen: panels.receiptsOpen.has(post.id),
        actions,
      }))));
  }

  function draw() {
    const restore = rememberFocus(body);
    const { mustRead, pinned, recent } = state.highlightsOf(circleId);
    const box = state.postsOf(circleId);
    const empty = mustRead.length + pinned.length + recent.length === 0;
    fill(body,
      section(t('posts.mustReadSection'), 'mustread-list', mustRead),
      section(t('posts.pinnedSection'), 'pinned-list', pinned, { numbered: true }),
      section(t('posts.recentSection'), 'recent-list', recent),
      empty
        ? h('p', { class: 'muted', testid: 'highlights-empty', text: box.loaded ? t('posts.emptyHighlights') : t('common.loading') })
        : null);
    restore();
  }

  function render() {
    const box = state.postsOf(circleId);
    panels.prune((id) => box.byId.has(id), (id) => Boolean(box.byId.get(id)?.must_read));
    draw();
  }

  const offs = [
    state.on(EV.postsChanged, (d) => d.circle === circleId && scheduleRender()),
    state.on(EV.receiptsChanged, (d) => panels.receiptsOpen.has(d.post) && scheduleRender()),
    state.on(EV.circlesChanged, scheduleRender), // the role may have changed
    state.on(EV.groupsChanged, (d) => d.circle === circleId && scheduleRender()), // group names of highlights
  ];
  render();
  return {
    el,
    destroy() {
      for (const off of offs) off();
    },
  };
}
