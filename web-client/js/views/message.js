// One chat message as a list item: sender's name in the circle, time, text (always as
// text), reply reference, its actions (star with count, reply, veto for managers) and
// its reactions (views/reactions.js).

import { h, timeEl } from '../dom.js';
import * as polls from '../store/polls.js';
import { want as wantReactions } from '../store/reactions.js';
import * as state from '../store/state.js';
import { pollCard } from './polls.js';
import { quoteEl } from './quotes.js';
import { withReactions } from './reactions.js';

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
    ? { text: `${stars.count}/${threshold}`, label: ` (${stars.count} of ${threshold} stars to make it a highlight)` }
    : { text: String(stars.count), label: ` (${stars.count} star${stars.count === 1 ? '' : 's'})` };
}

export function messageEl(circleId, message, actions) {
  const key = actions.chat || circleId; // the group shown (general's id is the circle's)
  const chat = state.chatOf(key);
  const me = state.session.user;
  const mine = Boolean(me && message.from && message.from.id === me.id);
  const stars = chat.stars.get(message.seq);
  const promoted = promotedSeqs(circleId, key).has(message.seq);
  const count = starCount(circleId, message.seq, stars, promoted, key);
  const starButton = h('button', {
    type: 'button', class: `star${stars && stars.mine ? ' on' : ''}`, testid: 'star-btn',
    'aria-pressed': stars && stars.mine ? 'true' : 'false',
    'aria-label': `${stars && stars.mine ? 'Withdraw your star' : 'Star this message'}${count.label}`,
    title: stars && stars.mine ? 'Withdraw your star' : 'Star: enough stars make it a highlight',
    onclick: () => actions.star(message.seq, starButton),
  },
  stars && stars.mine ? '★' : '☆',
  h('span', { class: 'count', testid: 'star-count', text: count.text }));
  const tools = h('div', { class: 'msg-actions' },
    starButton,
    h('button', {
      type: 'button', class: 'link', testid: 'reply-btn', text: 'Reply',
      'aria-label': `Reply to ${message.from ? message.from.name : 'this message'}`,
      onclick: () => actions.reply(message.seq),
    }));
  if (state.isManager(circleId)) {
    const vetoed = chat.vetoed.has(message.seq);
    const veto = h('button', {
      type: 'button', class: 'link', testid: 'veto-btn',
      text: vetoed ? 'Allow promotion' : 'Veto',
      title: vetoed ? 'Members’ stars may promote it again' : 'Members’ stars will not promote this message',
      onclick: () => actions.veto(message.seq, veto),
    });
    tools.append(veto);
  }
  const item = h('li', {
    class: `msg${mine ? ' mine' : ''}${promoted ? ' promoted' : ''}`,
    testid: 'msg',
    dataset: {
      seq: String(message.seq), order: String(message.seq), nonce: message.nonce || '',
      state: 'sent', from: message.from ? message.from.id : '',
    },
  },
  h('div', { class: 'meta' },
    h('span', { class: 'from', testid: 'msg-from', text: message.from ? message.from.name : '?' }),
    timeEl(message.ts),
    promoted ? h('span', { class: 'tag', testid: 'msg-promoted', text: 'highlight' }) : null,
    chat.vetoed.has(message.seq) ? h('span', { class: 'tag muted', text: 'vetoed' }) : null),
  quoteEl(key, message.reply_to, actions),
  textOrPoll(key, message),
  mine && actions.readBy ? actions.readBy(message) : null,
  tools);
  // The circle's general group has the circle's id (messages from before groups lack one).
  const group = message.group || key;
  wantReactions(group, message.seq);
  return withReactions(item, { group, seq: message.seq }, { actions: tools });
}

/** The message's text, or the card of the poll it asks. */
function textOrPoll(circleId, message) {
  const poll = polls.pollAt(message.group || circleId, message.seq);
  return poll
    ? pollCard(poll)
    : h('p', { class: 'text', testid: 'msg-text', text: message.text });
}

/** An own message the server has not confirmed yet (or refused). */
export function pendingEl(circleId, item, actions) {
  const failed = Boolean(item.failed);
  return h('li', {
    class: `msg mine pending${failed ? ' failed' : ''}`,
    testid: 'msg',
    dataset: { nonce: item.nonce, state: failed ? 'failed' : 'pending' },
  },
  h('div', { class: 'meta' },
    h('span', { class: 'from', testid: 'msg-from', text: state.myName(circleId) }),
    h('span', { class: 'muted small', testid: 'msg-status', text: failed ? `Not sent: ${item.failed}` : 'sending…' })),
  quoteEl(actions.chat || circleId, item.reply_to, actions),
  h('p', { class: 'text', testid: 'msg-text', text: item.text }),
  failed
    ? h('div', { class: 'msg-actions' }, h('button', {
      type: 'button', class: 'link', testid: 'discard-btn', text: 'Discard',
      onclick: () => actions.discard(item.nonce),
    }))
    : null);
}
