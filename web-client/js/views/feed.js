// The feed tab: a composer for posts (and notices, for owners and admins), then every post
// — pinned first, then newest — with likes and comments, all kept current by events.

import * as api from '../api.js';
import { busy, field, h, rememberFocus, renderSoon, toast } from '../dom.js';
import { t } from '../i18n.js';
import { loadPosts } from '../loaders.js';
import * as state from '../store/state.js';
import { attachTray } from './attach.js';
import { openPanels } from './panels.js';
import { postPollTools } from './polls.js';
import { postCard } from './post.js';
import { EV } from '../store/names.js';

export function feedView(circleId) {
  const text = h('textarea', { testid: 'post-text-input', rows: '3', maxlength: '20000', placeholder: t('posts.placeholder') });
  const kind = h('select', { testid: 'post-kind' },
    h('option', { value: 'post', text: t('posts.kindPostOption') }),
    h('option', { value: 'notice', text: t('posts.kindNoticeOption') }));
  const kindField = field(t('posts.kindField'), kind);
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'post-submit', text: t('posts.publish') });
  const pollTools = postPollTools();
  // Files attached (picker, drop, paste): publish waits until they are uploaded.
  const tray = attachTray(circleId, { onChange: () => { submit.disabled = tray.busy(); } });
  const composer = h('form', { class: 'post-composer', testid: 'post-composer', onsubmit: publish },
    field(t('posts.newPost'), text), tray.tray, kindField, tray.controls, pollTools.toggle, submit);
  tray.listen(composer);
  const list = h('ul', { class: 'post-list', testid: 'feed-list' });
  const more = h('button', { type: 'button', testid: 'feed-more', text: t('posts.olderPosts'), hidden: true });
  const empty = h('p', { class: 'muted', testid: 'feed-empty', text: t('posts.noPosts'), hidden: true });
  const el = h('section', { class: 'panel feed', testid: 'panel-feed', 'aria-label': t('posts.feed') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('posts.feed') })), composer, pollTools.slot, empty, list, more);
  const scheduleRender = renderSoon(render);
  const panels = openPanels(scheduleRender);
  // What is being typed under the posts: new comments by post, edits by comment.
  const drafts = { text: new Map(), edits: new Map(), trays: new Map() };
  const actions = {
    toggleComments: panels.toggleComments,
    toggleReceipts: panels.toggleReceipts,
    move() {},
  };

  async function publish(event) {
    event.preventDefault();
    if (!text.value.trim() && !tray.count()) return;
    if (!tray.ready()) {
      toast(t('media.waitUploads'));
      return;
    }
    const ids = tray.attachments().map((a) => a.id);
    await busy(submit, async () => {
      const post = await api.createPost(circleId, state.isManager(circleId) ? kind.value : 'post', text.value.trim(), ids);
      state.upsertPost(circleId, post);
      text.value = '';
      tray.clear();
      await pollTools.attach(post.id);
    });
  }

  function render() {
    kindField.hidden = !state.isManager(circleId);
    const restore = rememberFocus(list);
    const posts = state.feedOf(circleId);
    const box = state.postsOf(circleId);
    panels.prune((id) => box.byId.has(id), (id) => Boolean(box.byId.get(id)?.must_read));
    list.replaceChildren(...posts.map((post) => postCard(circleId, post, {
      context: 'feed',
      commentsOpen: panels.commentsOpen.has(post.id),
      receiptsOpen: panels.receiptsOpen.has(post.id),
      drafts,
      rerender: scheduleRender,
      actions,
    })));
    empty.hidden = posts.length > 0 || !box.loaded;
    more.hidden = !box.next;
    restore();
  }

  more.addEventListener('click', () => busy(more, () => loadPosts(circleId, { more: true })));

  const offs = [
    state.on(EV.postsChanged, (d) => d.circle === circleId && scheduleRender()),
    state.on(EV.commentsChanged, (d) => panels.commentsOpen.has(d.post) && scheduleRender()),
    state.on(EV.receiptsChanged, (d) => panels.receiptsOpen.has(d.post) && scheduleRender()),
    state.on(EV.circlesChanged, scheduleRender),
  ];
  render();
  return {
    el,
    destroy() {
      offs.forEach((off) => off());
      tray.clear(); // uploads not published are cancelled
      for (const commentTray of drafts.trays.values()) commentTray.clear();
    },
  };
}
