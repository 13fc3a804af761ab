// Following public circles without joining them: the home page's "Following" section (the
// circles I follow, each with its latest highlights and posts, live while connected:
// store/follows.js) and the Follow / Unfollow button of a public circle (Discover, and its
// public page #/join/<circle>, where a followed circle's name leads). A
// follower gets no chat; "Join" is the normal join, after which the circle is in my list.

import * as actions from '../actions.js';
import * as api from '../api.js';
import { busy, h } from '../dom.js';
import { t } from '../i18n.js';
import { loadCircles, loadFollowing } from '../loaders.js';
import * as follows from '../store/follows.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { avatarEl } from './avatar.js';

const oneLine = (text) => String(text || '').replace(/\s+/g, ' ').trim();

/** Follow / Unfollow for a public circle I am not in (`circle.following`: as the server said). */
export function followButton(circle) {
  let on = Boolean(circle.following) || follows.isFollowing(circle.id);
  const button = h('button', { type: 'button', class: 'follow-button', testid: 'follow-button' });
  const show = () => {
    button.textContent = t(on ? 'follow.unfollow' : 'follow.follow');
    button.setAttribute('aria-label', t(on ? 'follow.unfollowLabel' : 'follow.followLabel', { name: circle.name }));
    button.setAttribute('aria-pressed', String(on));
  };
  button.addEventListener('click', () => busy(button, async () => {
    if (on) await actions.unfollow(circle.id);
    else await actions.follow(circle);
    on = !on;
    show();
  }));
  show();
  return button;
}

/** The home page's section: the circles I follow, newest follow first. */
export function followingView({ onJoined }) {
  const list = h('ul', { class: 'circle-list following-list', testid: 'following-list' });
  const empty = h('p', { class: 'muted small', testid: 'following-empty', text: t('follow.empty') });

  function render() {
    const entries = follows.followingList();
    empty.hidden = entries.length > 0;
    list.replaceChildren(...entries.map(item));
  }

  function item({ circle, posts }) {
    const unfollow = h('button', {
      type: 'button', testid: 'following-unfollow', text: t('follow.unfollow'),
      'aria-label': t('follow.unfollowLabel', { name: circle.name }),
      onclick: () => busy(unfollow, () => actions.unfollow(circle.id)),
    });
    const join = h('button', {
      type: 'button', testid: 'following-join', text: t('follow.join'),
      'aria-label': t('follow.joinLabel', { name: circle.name }),
      onclick: () => busy(join, async () => {
        await api.join(circle.id);
        follows.unfollowed(circle.id); // a member now: the server ended the follow
        await loadCircles();
        onJoined(circle.id);
      }),
    });
    return h('li', { class: 'following-item', testid: 'following-item', dataset: { circleId: circle.id } },
      avatarEl({ id: circle.id, name: circle.name }),
      h('div', { class: 'grow following-main' },
        // Its public page: what it is about, Join, Unfollow (views/invite.js).
        h('a', { class: 'circle-name', testid: 'following-name', href: `#/join/${encodeURIComponent(circle.id)}`, text: circle.name }),
        h('div', { class: 'muted small', text: t('follow.followers', { count: circle.follower_count || 0 }) }),
        posts.length
          ? h('ul', { class: 'following-posts', testid: 'following-posts' }, posts.map(postLine))
          : h('p', { class: 'muted small', text: t('follow.noPosts') })),
      h('div', { class: 'following-actions' }, join, unfollow));
  }

  function postLine(post) {
    return h('li', { class: 'following-post small', testid: 'following-post', dataset: { postId: post.id, kind: post.kind } },
      post.kind === 'highlight' ? h('span', { class: 'tag', text: t('follow.highlight') }) : null,
      h('span', { class: 'following-author', text: `${(post.author && post.author.name) || ''}: ` }),
      h('span', { class: 'following-text', text: oneLine(post.text) }));
  }

  const off = state.on(EV.followingChanged, render);
  render();
  loadFollowing().catch(() => {}); // offline: the next welcome reads it
  const el = h('section', { class: 'following', testid: 'following', 'aria-labelledby': 'following-title' },
    h('h2', { id: 'following-title', text: t('follow.title') }), empty, list);
  return { el, destroy: off };
}
