// A circle's live chat — one of its groups (`group`; general's id is the circle's): messages
// in seq order (each seq once), own messages pending until the server confirms them, older
// history on scrolling up, stars, quoted replies (quotes.js), vetoes, who is typing
// (typing.js) and "read by N" under one's own messages (reads.js).

import * as api from '../api.js';
import { busy, h, toast } from '../dom.js';
import * as polls from '../store/polls.js';
import * as state from '../store/state.js';
import { messageEl, pendingEl, promotedSeqs } from './message.js';
import { chatPollTools } from './polls.js';
import { jumpToMessage, replyBarContent } from './quotes.js';
import { readsTracker } from './reads.js';
import { typingLine } from './typing.js';

const PAGE = 50;

export function chatView(circleId, { socket, group = null }) {
  const key = group || circleId; // the chat: a group id (general's is the circle's)
  const groupField = key === circleId ? {} : { group: key };
  const chat = state.chatOf(key);
  const older = h('button', { type: 'button', class: 'link older', testid: 'load-older', text: 'Load older messages' });
  const list = h('ol', { class: 'messages', testid: 'messages', 'aria-label': 'Messages' });
  const pendingList = h('ol', { class: 'messages pending', testid: 'pending-messages', 'aria-label': 'Sending' });
  const log = h('div', { class: 'chat-log', testid: 'chat-log', role: 'log', tabindex: '0' }, older, list, pendingList);
  const input = h('textarea', {
    id: `chat-input-${key}`, testid: 'chat-input', rows: '2', maxlength: '4000',
    placeholder: 'Write a message…', title: 'Enter sends, Shift+Enter starts a new line', autocomplete: 'off',
  });
  const send = h('button', { type: 'submit', class: 'primary', testid: 'chat-send', text: 'Send' });
  const replyBar = h('div', { class: 'reply-bar', testid: 'reply-bar', hidden: true });
  // Polls are asked in this chat's group (general's id is the circle's).
  const pollTools = chatPollTools(circleId, () => key);
  const form = h('form', { class: 'composer', testid: 'chat-form', onsubmit: submit },
    replyBar,
    h('label', { for: input.id, class: 'visually-hidden', text: 'Message' }),
    h('div', { class: 'row' }, pollTools.button, input, send));
  const typing = typingLine(circleId, key, socket);
  const el = h('section', { class: 'panel chat', testid: 'panel-chat', 'aria-label': 'Chat', dataset: { chat: key } },
    h('div', { class: 'panel-head' }, h('h2', { text: 'Chat' })), log, typing.el, pollTools.slot, form);
  input.addEventListener('input', () => typing.typed(input.value));
  const readCounts = readsTracker(circleId, key, list);

  let manager = state.isManager(circleId);
  let threshold = state.thresholdOf(circleId);
  let loading = false;
  let firstLoad = true;
  let replyTo = null;
  let readSent = 0;
  let readTimer = null;
  let seen = 0; // the newest message that has been on screen
  const actions = {
    chat: key,
    readBy: readCounts.readBy,
    loadQuote,
    jumpTo: (seq) => jumpToMessage(list, seq),
    star: toggleStar,
    reply: startReply,
    veto: toggleVeto,
    discard: (nonce) => { socket.forget(nonce); state.dropPending(key, nonce); },
  };

  // -- rendering --------------------------------------------------------------------

  const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const toBottom = () => { log.scrollTop = log.scrollHeight; };

  function render(message) {
    return messageEl(circleId, message, actions);
  }

  function insertSorted(node, seq) {
    for (let child = list.lastElementChild; child; child = child.previousElementSibling) {
      if (Number(child.dataset.order) < seq) {
        child.after(node);
        return;
      }
    }
    list.prepend(node);
  }

  function replace(seq) {
    const old = list.querySelector(`[data-seq="${seq}"]`);
    const message = chat.messages.get(seq);
    if (!old || !message) return;
    // Keep keyboard focus on the same button (a star's count came back, say).
    const focused = old.contains(document.activeElement) ? document.activeElement.getAttribute('data-testid') : null;
    const node = render(message);
    old.replaceWith(node);
    if (focused) node.querySelector(`[data-testid="${focused}"]`)?.focus();
  }

  function showMessage(message) {
    const mine = Boolean(message.from && state.session.user && message.from.id === state.session.user.id);
    const stick = mine || atBottom();
    if (mine && message.nonce) pendingList.querySelector(`[data-nonce="${CSS.escape(message.nonce)}"]`)?.remove();
    insertSorted(render(message), message.seq);
    if (stick) toBottom();
    markRead();
  }

  function showPending(item) {
    const node = pendingEl(circleId, item, actions);
    const old = pendingList.querySelector(`[data-nonce="${CSS.escape(item.nonce)}"]`);
    if (old) old.replaceWith(node);
    else pendingList.append(node);
    toBottom();
  }

  function showHistory(messages) {
    const before = log.scrollHeight;
    const top = log.scrollTop;
    for (const message of messages) insertSorted(render(message), message.seq);
    older.hidden = !chat.more;
    if (firstLoad) {
      firstLoad = false;
      toBottom();
    } else {
      log.scrollTop = top + (log.scrollHeight - before); // keep what the reader was looking at
    }
    markRead();
  }

  function showGap(fromSeq, toSeq) {
    const node = h('li', {
      class: 'gap', testid: 'gap', dataset: { order: String(fromSeq - 0.5) },
      text: `Messages ${fromSeq}–${toSeq} are no longer available (the circle's retention).`,
    });
    insertSorted(node, fromSeq - 0.5);
  }

  function refreshPromoted() {
    const seqs = promotedSeqs(circleId, key);
    for (const node of list.querySelectorAll('[data-seq]')) {
      const seq = Number(node.dataset.seq);
      if (seqs.has(seq) !== node.classList.contains('promoted')) replace(seq);
    }
  }

  // -- history and read markers -----------------------------------------------------

  async function loadOlder() {
    if (loading || !chat.more) return;
    const seqs = [...chat.messages.keys()];
    const before = seqs.length ? Math.min(...seqs) : chat.highWater == null ? null : chat.highWater + 1;
    if (before == null) return; // not joined yet: the joined event brings us back
    if (before <= 1) {
      state.addHistory(key, [], false);
      return;
    }
    loading = true;
    older.disabled = true;
    try {
      const reply = await socket.request({ t: 'history', circle: circleId, ...groupField, before, limit: PAGE });
      state.addHistory(key, reply.messages || [], reply.more);
    } catch (err) {
      if (!['offline', 'disconnected'].includes(err.code)) toast(err.message);
    } finally {
      loading = false;
      older.disabled = false;
    }
  }

  /** A quoted message not loaded here: one history page that ends with it. */
  async function loadQuote(seq) {
    const reply = await socket.request({ t: 'history', circle: circleId, ...groupField, before: seq + 1, limit: 1 });
    const found = (reply.messages || []).find((m) => m.seq === seq);
    return found || null;
  }

  /** The newest message on screen (its top inside the log), 0 when the chat is not shown. */
  function lastVisibleSeq() {
    const bottom = log.getBoundingClientRect().bottom;
    for (let node = list.lastElementChild; node; node = node.previousElementSibling) {
      if (node.dataset.seq && node.getBoundingClientRect().top < bottom) return Number(node.dataset.seq);
    }
    return 0;
  }

  function sendRead() {
    readTimer = null;
    if (document.visibilityState !== 'visible') return;
    const top = Math.max(seen, lastVisibleSeq());
    if (top > readSent && socket.send({ t: 'read', circle: circleId, ...groupField, seq: top })) readSent = top;
  }

  function markRead() {
    // On screen now, if only for a moment (a hidden tab shows nothing).
    if (document.visibilityState === 'visible') seen = Math.max(seen, lastVisibleSeq());
    // At most one read marker per 800 ms, and the last one is never lost (see destroy).
    if (readTimer == null) readTimer = setTimeout(sendRead, 800);
  }

  // -- actions ----------------------------------------------------------------------

  function submit(event) {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    const limit = (socket.limits && socket.limits.text_chars) || 4000;
    if (text.length > limit) {
      toast(`A message holds at most ${limit} characters.`);
      return;
    }
    const nonce = socket.say(circleId, text, replyTo, group);
    state.addPending(key, nonce, text, replyTo);
    input.value = '';
    cancelReply();
    input.focus();
  }

  function toggleStar(seq, button) {
    const info = chat.stars.get(seq) || { mine: false };
    busy(button, async () => {
      const reply = await socket.request({ t: info.mine ? 'unstar' : 'star', circle: circleId, ...groupField, seq });
      state.setStars(key, seq, reply.stars, !info.mine);
      if (reply.post) state.upsertPost(circleId, reply.post);
    });
  }

  function toggleVeto(seq, button) {
    const vetoed = chat.vetoed.has(seq);
    busy(button, async () => {
      await (key === circleId ? api.veto(circleId, seq, !vetoed) : api.groupVeto(key, seq, !vetoed));
      state.setVetoed(key, seq, !vetoed);
    });
  }

  function startReply(seq) {
    const message = chat.messages.get(seq);
    if (!message) return;
    replyTo = seq;
    replyBar.replaceChildren(...replyBarContent(message, () => { cancelReply(); input.focus(); }));
    replyBar.hidden = false;
    input.focus();
  }

  function cancelReply() {
    replyTo = null;
    replyBar.hidden = true;
    replyBar.replaceChildren();
  }

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape' && replyTo) cancelReply();
  });
  log.addEventListener('scroll', () => {
    if (log.scrollTop < 60) loadOlder();
    markRead(); // messages scrolled into view are read
  });
  document.addEventListener('visibilitychange', markRead);
  older.addEventListener('click', loadOlder);

  // -- state events -----------------------------------------------------------------

  const mine = (fn) => (detail) => detail.circle === key && fn(detail); // this chat's
  const ofCircle = (fn) => (detail) => detail.circle === circleId && fn(detail);
  const offs = [
    state.on('message', mine((d) => showMessage(d.message))),
    state.on('message-updated', mine((d) => replace(d.message.seq))),
    state.on('history', mine((d) => showHistory(d.messages))),
    state.on('pending', mine((d) => showPending(d.pending))),
    state.on('pending-dropped', mine((d) => pendingList.querySelector(`[data-nonce="${CSS.escape(d.nonce)}"]`)?.remove())),
    state.on('stars', mine((d) => replace(d.seq))),
    state.on('gap', mine((d) => showGap(d.fromSeq, d.toSeq))),
    state.on('posts', ofCircle(refreshPromoted)),
    state.on('circles', () => {
      // The role arrived or changed: managers get the veto button on every message.
      if (state.isManager(circleId) === manager) return;
      manager = state.isManager(circleId);
      for (const node of list.querySelectorAll('[data-seq]')) replace(Number(node.dataset.seq));
    }),
    state.on('circle-info', ofCircle(() => {
      // A new promote threshold changes every "2/3".
      if (state.thresholdOf(circleId) === threshold) return;
      threshold = state.thresholdOf(circleId);
      for (const seq of chat.stars.keys()) replace(seq);
    })),
    state.on('joined', mine(() => {
      if (firstLoad) loadOlder();
      else readCounts.reload(); // back after a disconnect: markers may have moved meanwhile
      polls.loadGroupPolls(key, { force: true });
    })),
    // A message learns it asks a poll (its card then keeps itself current).
    state.on('poll', (d) => {
      if (d.poll.group !== key || d.poll.seq == null) return;
      const node = list.querySelector(`[data-seq="${d.poll.seq}"]`);
      if (node && !node.querySelector('[data-testid="poll"]')) replace(d.poll.seq);
    }),
  ];
  // Whatever is already known (a re-render of the same circle).
  for (const message of [...chat.messages.values()].sort((a, b) => a.seq - b.seq)) list.append(render(message));
  for (const item of chat.pending.values()) pendingList.append(pendingEl(circleId, item, actions));
  older.hidden = true;
  if (chat.highWater != null) loadOlder(); // a group already followed, shown again

  return {
    el,
    focus: () => input.focus(),
    shown: () => {
      toBottom();
      markRead();
    },
    destroy() {
      document.removeEventListener('visibilitychange', markRead);
      if (readTimer != null) {
        clearTimeout(readTimer);
        sendRead();
      }
      for (const off of offs) off();
      typing.destroy();
      readCounts.destroy();
    },
  };
}
