// One chat message as a list item, compact: the sender's avatar and name and the time on
// the first of a run (chat.js marks the others `cont`), the text (links made safe by
// linkify.js, 1–3 emoji shown large) or the poll it asks, the quote it replies to, flags
// (stars, highlight, vetoed, read by N) and its reactions (views/reactions.js). Its actions
// (star with the live count, reply, react, recall/edit/delete (views/message-edits.js), report,
// veto for managers) sit in a small menu shown on hover, on a long press and from the keyboard
// (views/message-nav.js). A recalled or deleted message is a one-line tombstone.

import { h } from '../dom.js';
import { formatDateTime, formatTime, personName, t } from '../i18n.js';
import { duringLesson } from '../store/lessons.js';
import * as polls from '../store/polls.js';
import { want as wantReactions } from '../store/reactions.js';
import * as state from '../store/state.js';
import { attachmentsEl } from './attachments.js';
import { avatarEl } from './avatar.js';
import { editButtons, editedMark, tombstoneEl } from './message-edits.js';
import { isEmojiOnly, richText } from './linkify.js';
import { withMentions } from './mentions.js';
import { pollCard } from './polls.js';
import { quoteEl } from './quotes.js';
import { reportButton } from './report.js';
import { withReactions } from './reactions.js';
import { botBadge } from './bot-badge.js';

/** Seqs of a chat (a group; general's id is the circle's) promoted into the circle's posts. */
export function promotedSeqs(circleId, chat = circleId) {
  const seqs = new Set();
  for (const post of state.postsOf(circleId).byId.values()) {
    if (post.source && post.source.seq != null && (post.source.group || circleId) === chat) seqs.add(post.source.seq);
  }
  return seqs;
}

/**
 * The star count, and how far it is from promoting the message ("2/3") while members'
 * votes can still promote it (a threshold above 0, not vetoed, not promoted yet).
 */
function starCount(circleId, seq, stars, promoted, key = circleId) {
  if (!stars || !stars.count) return { text: '', label: '' };
  const threshold = state.thresholdOf(circleId);
  const voting = threshold > 0 && !promoted && !state.chatOf(key).vetoed.has(seq);
  return voting
    ? { text: `${stars.count}/${threshold}`, label: t('chat.starsOf', { count: stars.count, threshold }) }
    : { text: String(stars.count), label: t('chat.stars', { count: stars.count }) };
}

/** The time of a message: 14:05 (the day is on the separator above), the full date as a tooltip. */
function timeOf(ms, cls) {
  if (!ms) return null;
  return h('time', { class: cls, datetime: new Date(ms).toISOString(), title: formatDateTime(ms, 0), text: formatTime(ms) });
}

function head(from, ms, extra = null) {
  return h('div', { class: 'meta' },
    h('span', { class: 'from', testid: 'msg-from', text: from ? personName(from.name) : '?' }),
    botBadge(from),
    timeOf(ms, 'when'),
    extra);
}

/** The text with its links, or large when it is only one to three emoji. */
function textEl(text, mentions) {
  const big = isEmojiOnly(text);
  return h('p', { class: `text${big ? ' jumbo' : ''}`, testid: 'msg-text' }, big ? String(text).trim() : withMentions(richText(text), mentions));
}

export function messageEl(circleId, message, actions) {
  const key = actions.chat || circleId; // the group shown (general's id is the circle's)
  const chat = state.chatOf(key);
  const me = state.session.user;
  const mine = Boolean(me && message.from && message.from.id === me.id);
  if (message.deleted) return tombstoneEl(message, mine);
  const stars = chat.stars.get(message.seq);
  const starred = Boolean(stars && stars.mine);
  const promoted = promotedSeqs(circleId, key).has(message.seq);
  const vetoed = chat.vetoed.has(message.seq);
  const count = starCount(circleId, message.seq, stars, promoted, key);
  const starButton = h('button', {
    type: 'button', class: `star${starred ? ' on' : ''}`, testid: 'star-btn',
    'aria-pressed': starred ? 'true' : 'false',
    'aria-label': `${t(starred ? 'chat.unstar' : 'chat.star')}${count.label ? ` (${count.label})` : ''}`,
    title: t(starred ? 'chat.unstar' : 'chat.starHint'),
    onclick: () => actions.star(message.seq, starButton),
  },
  h('span', { class: 'icon', 'aria-hidden': 'true', text: starred ? '★' : '☆' }),
  h('span', { class: 'label', text: t(starred ? 'chat.starred' : 'chat.starShort') }),
  h('span', { class: 'count', testid: 'star-count', text: count.text }));
  const menu = h('div', { class: 'msg-menu', testid: 'msg-menu', role: 'toolbar', 'aria-label': t('chat.actions') },
    starButton,
    h('button', {
      type: 'button', testid: 'reply-btn',
      'aria-label': t('chat.replyTo', { name: message.from ? personName(message.from.name) : '?' }),
      onclick: () => actions.reply(message.seq),
    }, h('span', { class: 'icon', 'aria-hidden': 'true', text: '↩' }), h('span', { class: 'label', text: t('chat.reply') })),
    ...editButtons(circleId, message, actions, { mine, poll: Boolean(polls.pollAt(message.group || key, message.seq)) }));
  if (!mine && message.from) {
    const target = { kind: 'message', id: `${message.group || key}:${message.seq}` };
    menu.append(reportButton(circleId, target, { label: personName(message.from.name), cls: 'report' }));
  }
  if (state.isManager(circleId)) {
    const veto = h('button', {
      type: 'button', class: 'veto', testid: 'veto-btn',
      text: t(vetoed ? 'chat.allowPromotion' : 'chat.veto'),
      title: t(vetoed ? 'chat.allowPromotionHint' : 'chat.vetoHint'),
      onclick: () => actions.veto(message.seq, veto),
    });
    menu.append(veto);
  }
  const flags = h('span', { class: 'msg-flags' },
    editedMark(message),
    count.text ? h('span', {
      class: `star-badge${starred ? ' on' : ''}`, testid: 'star-badge', title: count.label, text: `★ ${count.text}`,
    }) : null,
    promoted ? h('span', { class: 'tag', testid: 'msg-promoted', text: t('chat.highlight') }) : null,
    vetoed ? h('span', { class: 'tag muted', testid: 'msg-vetoed', text: t('chat.vetoed') }) : null,
    duringLesson(message.group || key, message.seq) ? h('span', { class: 'tag lesson-said', testid: 'msg-during-lesson', text: t('lesson.saidDuring') }) : null,
    mine && actions.readBy ? actions.readBy(message) : null);
  const item = h('li', {
    class: `msg${mine ? ' mine' : ''}${promoted ? ' promoted' : ''}`,
    testid: 'msg',
    tabindex: '-1',
    dataset: {
      seq: String(message.seq), order: String(message.seq), nonce: message.nonce || '',
      state: 'sent', from: message.from ? message.from.id : '', ts: String(message.ts || 0),
    },
  },
  menu,
  h('div', { class: 'side' }, avatarEl(message.from || { name: '?' }, { size: 'sm' }), timeOf(message.ts, 'gut-time')),
  h('div', { class: 'body' },
    head(message.from, message.ts),
    quoteEl(key, message.reply_to, actions),
    attachmentsEl(message.attachments, `msg:${key}:${message.seq}`),
    h('div', { class: 'msg-line' }, textOrPoll(key, message), flags)));
  // The circle's general group has the circle's id (messages from before groups lack one).
  const group = message.group || key;
  wantReactions(group, message.seq);
  const body = item.querySelector('.body');
  withReactions(item, { group, seq: message.seq }, {
    actions: menu, barIn: body, onLongPress: () => actions.openMenu && actions.openMenu(item),
  });
  return item;
}

/** The message's text, or the card of the poll it asks. */
function textOrPoll(circleId, message) {
  const poll = polls.pollAt(message.group || circleId, message.seq);
  if (poll) return pollCard(poll);
  return message.text || !message.attachments?.length ? textEl(message.text, message.mentions) : null;
}

/** An own message the server has not confirmed yet (or refused). */
export function pendingEl(circleId, item, actions) {
  const failed = Boolean(item.failed);
  const me = state.session.user || {};
  return h('li', {
    class: `msg mine pending${failed ? ' failed' : ''}`,
    testid: 'msg',
    tabindex: '-1',
    dataset: { nonce: item.nonce, state: failed ? 'failed' : 'pending', from: me.id || '', ts: String(item.ts || Date.now()) },
  },
  h('div', { class: 'side' }, avatarEl({ id: me.id, name: state.myName(circleId), avatar: me.avatar }, { size: 'sm' })),
  h('div', { class: 'body' },
    head({ name: state.myName(circleId) }, null),
    quoteEl(actions.chat || circleId, item.reply_to, actions),
    attachmentsEl(item.attachments),
    h('div', { class: 'msg-line' },
      item.text || !item.attachments?.length ? textEl(item.text) : null,
      h('span', { class: 'msg-flags' },
        h('span', {
          class: `msg-status${failed ? ' error' : ''}`, testid: 'msg-status',
          text: failed ? t('chat.notSent') : t('chat.sending'),
        }),
        failed ? h('button', {
          type: 'button', class: 'link', testid: 'discard-btn', text: t('chat.discard'),
          onclick: () => actions.discard(item.nonce),
        }) : null))));
}
