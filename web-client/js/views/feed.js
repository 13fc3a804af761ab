// The feed tab: a composer for posts (and notices, for owners and admins), then every post
// — pinned first, then newest — with likes and comments.

import * as api from '../api.js';
import { busy, field, h, rememberFocus, renderSoon, toast } from '../dom.js';
import * as state from '../store/state.js';
import { loadPosts } from '../sync.js';
import { postCard } from './post.js';

export function feedView(circleId) {
  const text = h('textarea', { testid: 'post-text-input', rows: '3', maxlength: '20000', placeholder: 'Share something that should stay' });
  const kind = h('select', { testid: 'post-kind' },
    h('option', { value: 'post', text: 'Post' }),
    h('option', { value: 'notice', text: 'Notice (from the circle’s managers)' }));
  const kindField = field('Kind', kind);
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'post-submit', text: 'Publish' });
  const composer = h('form', { class: 'post-composer', testid: 'post-composer', onsubmit: publish },
    field('New post', text), kindField, submit);
  const list = h('ul', { class: 'post-list', testid: 'feed-list' });
  const more = h('button', { type: 'button', testid: 'feed-more', text: 'Older posts', hidden: true });
  const empty = h('p', { class: 'muted', testid: 'feed-empty', text: 'No posts yet.', hidden: true });
  const el = h('section', { class: 'panel feed', testid: 'panel-feed', 'aria-label': 'Feed' },
    h('div', { class: 'panel-head' }, h('h2', { text: 'Feed' })), composer, empty, list, more);
  const comments = new Map(); // post id → comment list or 'loading' (open threads)
  const drafts = new Map(); // post id → the comment being written

  const actions = {
    async toggleComments(postId) {
      if (comments.has(postId)) {
        comments.delete(postId);
        render();
        return;
      }
      comments.set(postId, 'loading');
      render();
      try {
        const reply = await api.comments(postId);
        comments.set(postId, Array.isArray(reply) ? reply : reply.comments || []);
      } catch (err) {
        comments.delete(postId);
        toast(err.message);
      }
      render();
    },
    async comment(post, value) {
      const added = await api.addComment(post.id, value);
      const list = Array.isArray(comments.get(post.id)) ? comments.get(post.id) : [];
      comments.set(post.id, [...list, added]);
      drafts.delete(post.id);
      state.upsertPost(circleId, { ...post, comments: (post.comments || 0) + 1 });
    },
    draft: (postId) => drafts.get(postId) || '',
    setDraft: (postId, text) => drafts.set(postId, text),
    toggleReceipts() {},
    move() {},
  };

  async function publish(event) {
    event.preventDefault();
    if (!text.value.trim()) return;
    await busy(submit, async () => {
      const post = await api.createPost(circleId, state.isManager(circleId) ? kind.value : 'post', text.value.trim());
      state.upsertPost(circleId, post);
      text.value = '';
    });
  }

  function render() {
    kindField.hidden = !state.isManager(circleId);
    const restore = rememberFocus(list);
    const posts = state.feedOf(circleId);
    list.replaceChildren(...posts.map((post) => postCard(circleId, post, {
      context: 'feed', comments: comments.get(post.id), actions,
    })));
    const box = state.postsOf(circleId);
    empty.hidden = posts.length > 0 || !box.loaded;
    more.hidden = !box.next;
    restore();
  }

  more.addEventListener('click', () => busy(more, () => loadPosts(circleId, { more: true })));

  const scheduleRender = renderSoon(render);
  const offs = [
    state.on('posts', (d) => d.circle === circleId && scheduleRender()),
    state.on('circles', scheduleRender),
  ];
  render();
  return { el, destroy: () => offs.forEach((off) => off()) };
}
