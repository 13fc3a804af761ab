// Quoted replies: a message's `reply_to` shown above it as the quoted message's author
// and first line — from what is loaded, else fetched once with `history` — and a click on
// the quote scrolls to the original when it is in the list.

import { fill, h } from '../dom.js';
import { personName, t } from '../i18n.js';
import * as state from '../store/state.js';
import { EV } from '../store/names.js';


const found = new Map(); // chat → Map seq → message | null (unavailable) | Promise

state.on(EV.sessionCleared, () => found.clear());

export function firstLine(text, max = 120) {
  const line = String(text || '').split('\n').find((l) => l.trim()) || '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function known(chat, seq) {
  const message = state.chatOf(chat).messages.get(seq);
  if (message) return message;
  const got = found.get(chat)?.get(seq);
  return got && !(got instanceof Promise) ? got : null;
}

/** The quoted message, fetched once per chat and seq; null when it is gone, undefined offline. */
function lookUp(chat, seq, load) {
  if (!found.has(chat)) found.set(chat, new Map());
  const box = found.get(chat);
  if (box.has(seq)) return Promise.resolve(box.get(seq));
  const promise = load(seq).then((message) => {
    box.set(seq, message || null);
    return message || null;
  }, () => {
    box.delete(seq); // offline: try again next time it is shown
    return undefined;
  });
  box.set(seq, promise);
  return promise;
}

function quoted(message) {
  if (message.deleted) return [h('span', { class: 'excerpt', testid: 'quote-text', text: t('chat.quoteGone') })];
  return [
    h('strong', { testid: 'quote-from', text: message.from ? personName(message.from.name) : '?' }),
    h('span', { class: 'excerpt', testid: 'quote-text', text: `${t('chat.colon')}${firstLine(message.text)}` }),
  ];
}

/**
 * The quote above a reply. opts: loadQuote(seq) → Promise of the message (or null),
 * jumpTo(seq) scrolls to the original.
 */
export function quoteEl(chat, seq, { loadQuote, jumpTo } = {}) {
  if (!seq) return null;
  const el = h('button', {
    type: 'button', class: 'reply-ref quote', testid: 'msg-reply', title: t('chat.quoteJump'),
    dataset: { replyTo: String(seq) },
    onclick: () => jumpTo && jumpTo(seq),
  });
  const message = known(chat, seq);
  if (message) fill(el, '↪ ', quoted(message));
  else {
    fill(el, '↪ ', h('span', { class: 'excerpt', text: t('chat.quoteLoading') }));
    if (loadQuote) {
      lookUp(chat, seq, loadQuote).then((got) => {
        if (got === undefined) return;
        fill(el, '↪ ', got ? quoted(got) : h('span', { class: 'excerpt', text: t('chat.quoteGone') }));
      });
    }
  }
  return el;
}

/** The quote above the composer while writing a reply. */
export function replyBarContent(message, onCancel) {
  return [
    h('span', { class: 'grow', testid: 'reply-quote' }, `${t('chat.replyingTo')} `,
      h('strong', { text: message.from ? personName(message.from.name) : '?' }), t('chat.colon'),
      h('span', { class: 'excerpt', text: firstLine(message.text, 80) })),
    h('button', { type: 'button', class: 'link', testid: 'reply-cancel', text: t('common.cancel'), onclick: onCancel }),
  ];
}

/** Scroll to a message of the list and make it stand out for a moment; false if not loaded. */
export function jumpToMessage(list, seq) {
  const node = list.querySelector(`[data-seq="${seq}"]`);
  if (!node) return false;
  const still = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
  node.scrollIntoView({ block: 'center', behavior: still ? 'auto' : 'smooth' });
  node.classList.add('flash');
  setTimeout(() => node.classList.remove('flash'), 1600);
  return true;
}
