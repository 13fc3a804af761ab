// One post as a card, shared by the highlights side and the feed: author, kind, text,
// must-read acknowledgement, likes and comments (feed), the owner/admin tools
// (pin, reorder, must-read, receipts, un-promote or delete), and reactions.

import * as api from '../api.js';
import { busy, h, time, timeEl } from '../dom.js';
import { has, personName, t } from '../i18n.js';
import { refreshCircles } from '../loaders.js';
import { seedPost } from '../store/reactions.js';
import * as state from '../store/state.js';
import { attachmentsEl } from './attachments.js';
import { commentsEl } from './comments.js';
import { sourceGroupTag } from './group-tag.js';
import { checkinSourceTag } from './challenges.js';
import { homeworkSourceTag } from './homework.js';
import { postPollSlot } from './polls.js';
import { withReactions } from './reactions.js';
import { receiptsEl } from './receipts.js';
import { reportButton } from './report.js';
import { mentionedText } from './mentions.js';
import { sentence, userText } from './user-text.js';
import { botBadge } from './bot-badge.js';

function kindLabel(kind) {
  return has(`posts.kind.${kind}`) ? t(`posts.kind.${kind}`) : t('posts.kind.post');
}

/**
 * opts: {context: 'highlights'|'feed', first, last (in the pin order), receiptsOpen,
 * commentsOpen, drafts (comments.js), rerender, actions: {toggleReceipts, toggleComments,
 * move}}
 */
export function postCard(circleId, post, opts) {
  const manager = state.isManager(circleId);
  const me = state.session.user || {};
  const source = post.source;
  seedPost(post);
  const card = h('li', {
    class: `post-card kind-${post.kind}${post.pinned ? ' pinned' : ''}${post.must_read ? ' must-read' : ''}`,
    testid: opts.context === 'feed' ? 'post' : 'highlight',
    dataset: { postId: post.id, kind: post.kind, pinned: String(Boolean(post.pinned)) },
  },
  h('div', { class: 'meta' },
    h('span', { class: 'tag', text: kindLabel(post.kind) }),
    post.pinned ? h('span', { class: 'tag pin', testid: 'pinned-tag', text: t('posts.pinnedTag') }) : null,
    post.must_read ? h('span', { class: 'tag must', testid: 'mustread-tag', text: t('posts.mustReadTag') }) : null,
    // What was starred or acknowledged may not be what it says now.
    post.edited ? h('span', { class: 'tag edited', testid: 'edited-tag', text: t('posts.editedTag'), title: t('posts.editedAt', { time: time(post.edited) }) }) : null,
    userText('span', personName(source && source.from ? source.from.name : post.author && post.author.name), { class: 'author', testid: 'post-author' }),
    botBadge(source && source.from ? source.from : post.author),
    timeEl(source ? source.ts : post.created),
    sourceGroupTag(circleId, source),
    homeworkSourceTag(source),
    checkinSourceTag(source)),
  mentionedText('p', post.text, post.mentions, { class: 'text', testid: 'post-text' }),
  attachmentsEl(post.attachments, `post:${opts.context}:${post.id}`),
  postPollSlot(post),
  source && post.author && source.from && post.author.id !== source.from.id
    ? h('p', { class: 'muted small' }, sentence('posts.highlightedBy', { name: userText('span', personName(post.author.name)) }))
    : null,
  h('div', { class: 'post-actions', role: 'group', 'aria-label': t('posts.actions') },
    ackControl(circleId, post),
    opts.context === 'feed' ? likeButton(circleId, post) : null,
    opts.context === 'feed'
      ? h('button', {
        type: 'button', class: 'link', testid: 'comments-btn',
        'aria-expanded': opts.commentsOpen ? 'true' : 'false',
        text: t('posts.comments', { count: post.comments || 0 }),
        onclick: () => opts.actions.toggleComments(post.id),
      })
      : null,
    manager ? managerTools(circleId, post, opts) : null,
    !manager && post.author && post.author.id === me.id && post.kind !== 'highlight'
      ? deleteButton(post, t('common.delete')) : null,
    post.author && post.author.id !== me.id && !post.deleted
      ? reportButton(circleId, { kind: 'post', id: post.id }, { label: personName(post.author.name) }) : null),
  opts.receiptsOpen ? receiptsEl(post.id) : null,
  opts.commentsOpen ? commentsEl(circleId, post, opts.drafts, opts.rerender) : null);
  // Under the post's actions, above its receipts and comments when they are open.
  return withReactions(card, { post: post.id }, { actions: card.querySelector('.post-actions') });
}

function ackControl(circleId, post) {
  if (!post.must_read) return null;
  const me = state.session.user;
  if (me && post.author && post.author.id === me.id) {
    // The author is not asked to acknowledge their own must-read.
    return h('span', { class: 'muted small', testid: 'ack-own', text: t('posts.ownPost') });
  }
  if (post.acked) return h('span', { class: 'acked', testid: 'acked', text: t('posts.acked') });
  const button = h('button', {
    type: 'button', class: 'primary', testid: 'ack-btn', text: t('posts.ack'),
    onclick: () => busy(button, async () => {
      const updated = await api.ack(post.id);
      state.upsertPost(circleId, { ...post, ...(updated || {}), acked: true });
      refreshCircles(); // the must-read badge
    }),
  });
  return button;
}

function likeButton(circleId, post) {
  const button = h('button', {
    type: 'button', class: `like${post.liked ? ' on' : ''}`, testid: 'like-btn',
    'aria-pressed': post.liked ? 'true' : 'false',
    'aria-label': `${t('posts.like')} (${t('posts.likes', { count: post.likes || 0 })})`,
    onclick: () => busy(button, async () => {
      const result = await api.like(post.id, !post.liked);
      // The post.liked event brings the count, in order with everyone else's likes.
      state.patchPost(circleId, post.id, { liked: result.liked });
    }),
  }, h('span', { 'aria-hidden': 'true', text: post.liked ? '♥ ' : '♡ ' }), h('span', { testid: 'like-count', text: String(post.likes || 0) }));
  return button;
}

function deleteButton(post, label) {
  const button = h('button', {
    type: 'button', class: 'link danger', testid: post.kind === 'highlight' ? 'unpromote-btn' : 'delete-btn',
    text: label,
    onclick: () => {
      const what = post.kind === 'highlight' ? t('posts.unpromoteAsk') : t('posts.deleteAsk');
      if (!window.confirm(what)) return;
      busy(button, async () => {
        await api.deletePost(post.id);
        state.upsertPost(post.circle, { id: post.id, deleted: true });
      });
    },
  });
  return button;
}

function managerTools(circleId, post, opts) {
  const tools = h('span', { class: 'tools' });
  const pin = h('button', {
    type: 'button', class: 'link', testid: 'pin-btn', text: post.pinned ? t('posts.unpin') : t('posts.pin'),
    onclick: () => busy(pin, async () => {
      const updated = await api.pin(post.id, !post.pinned);
      state.upsertPost(circleId, updated || { ...post, pinned: !post.pinned });
    }),
  });
  tools.append(pin);
  if (post.pinned && opts.context === 'highlights') {
    tools.append(
      h('button', { type: 'button', class: 'link', testid: 'pin-up', text: '↑', 'aria-label': t('posts.moveUp'), title: t('posts.moveUp'), disabled: opts.first, onclick: () => opts.actions.move(post.id, -1) }),
      h('button', { type: 'button', class: 'link', testid: 'pin-down', text: '↓', 'aria-label': t('posts.moveDown'), title: t('posts.moveDown'), disabled: opts.last, onclick: () => opts.actions.move(post.id, 1) }));
  }
  const must = h('button', {
    type: 'button', class: 'link', testid: 'mustread-btn',
    text: post.must_read ? t('posts.notMustRead') : t('posts.markMustRead'),
    onclick: () => busy(must, async () => {
      const updated = await api.mustRead(post.id, !post.must_read);
      state.upsertPost(circleId, updated || { ...post, must_read: !post.must_read });
    }),
  });
  tools.append(must);
  if (post.must_read) {
    tools.append(h('button', {
      type: 'button', class: 'link', testid: 'receipts-btn',
      'aria-expanded': opts.receiptsOpen ? 'true' : 'false',
      text: opts.receiptsOpen ? t('posts.hideReceipts') : t('posts.showReceipts'),
      onclick: () => opts.actions.toggleReceipts(post.id),
    }));
  }
  tools.append(deleteButton(post, post.kind === 'highlight' ? t('posts.unpromote') : t('common.delete')));
  return tools;
}
