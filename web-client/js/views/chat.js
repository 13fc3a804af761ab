// A circle's live chat — one of its groups (`group`; general's id is the circle's): messages
// in seq order (each seq once), compact — runs of one author within a few minutes share one
// name line and avatar, a separator per day, a "new messages" line at the read marker the
// chat opened with, a jump-to-latest button counting what arrived while scrolled up — own
// messages pending until the server confirms them, older history on scrolling up, stars,
// quoted replies (quotes.js), vetoes, who is typing (typing.js), "read by N" under one's
// own messages (reads.js). The list is one Tab stop with arrow keys inside
// (message-nav.js); the composer has an emoji picker (emoji.js), Enter sends (never while
// an IME is composing) and its length limit comes from the server's welcome.

import * as actions from '../actions.js';
import { busy, h, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { duringLesson } from '../store/lessons.js';
import * as polls from '../store/polls.js';
import { EV } from '../store/names.js';
import * as reads from '../store/reads.js';
import * as state from '../store/state.js';
import { attachTray } from './attach.js';
import { composerGate } from './composer-gate.js';
import { dayLabel, sameDay } from './days.js';
import { emojiPicker } from './emoji.js';
import { attachMentions } from './mention-complete.js';
import { messageEl, pendingEl, promotedSeqs } from './message.js';
import { editInline } from './message-edits.js';
import { messageNav } from './message-nav.js';
import { chatPollTools } from './polls.js';
import { jumpToMessage, replyBarContent } from './quotes.js';
import { readsTracker } from './reads.js';
import { typingLine } from './typing.js';

const PAGE = 50;
// Going back to a search result: at most this many history pages, each at most the server's
// default history limit (QUANZI_HISTORY_MAX).
const REVEAL_TRIES = 20;
const HISTORY_PAGE_MAX = 200;
const RUN_MS = 5 * 60 * 1000; // one author's messages closer than this share a name line

const reducedMotion = () => typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

export function chatView(circleId, { group = null } = {}) {
  const key = group || circleId; // the chat: a group id (general's is the circle's)
  const chat = state.chatOf(key);
  const older = h('button', {
    type: 'button', class: 'link older', testid: 'load-older', text: t('chat.loadOlder'), tabindex: '-1',
  });
  const list = h('ol', { class: 'messages', testid: 'messages', 'aria-label': t('chat.messages') });
  const pendingList = h('ol', { class: 'messages pending', testid: 'pending-messages', 'aria-label': t('chat.sendingList') });
  const log = h('div', { class: 'chat-log', testid: 'chat-log', role: 'log', 'aria-label': t('chat.messages') }, older, list, pendingList);
  const jump = h('button', {
    type: 'button', class: 'jump-latest', testid: 'jump-latest', hidden: true,
    onclick: () => {
      log.scrollTo({ top: log.scrollHeight, behavior: reducedMotion() ? 'auto' : 'smooth' });
      unseen = 0;
      drawJump();
    },
  });
  const input = h('textarea', {
    id: `chat-input-${key}`, testid: 'chat-input', rows: '1', maxlength: String(textLimit()),
    placeholder: t('chat.placeholder'), title: t('chat.enterHint'), autocomplete: 'off',
  });
  const skip = h('button', {
    type: 'button', class: 'skip-composer', testid: 'skip-composer', text: t('chat.skipToComposer'),
    onclick: () => input.focus(),
  });
  const send = h('button', { type: 'submit', class: 'primary', testid: 'chat-send', text: t('common.send') });
  // Files attached (picker, drop, paste): send waits until they are uploaded.
  const tray = attachTray(circleId, { onChange: () => { send.disabled = tray.busy(); } });
  const replyBar = h('div', { class: 'reply-bar', testid: 'reply-bar', hidden: true });
  const emoji = emojiPicker(insertEmoji);
  // Polls are asked in this chat's group (general's id is the circle's).
  const pollTools = chatPollTools(circleId, () => key);
  const mentionList = attachMentions(input, circleId); // @ completion by circle nickname
  const form = h('form', { class: 'composer', testid: 'chat-form', onsubmit: submit },
    mentionList,
    replyBar,
    emoji.panel,
    tray.tray,
    h('label', { for: input.id, class: 'visually-hidden', text: t('chat.message') }),
    h('div', { class: 'row' }, pollTools.button, tray.controls, emoji.button, input, send));
  const typing = typingLine(circleId, key);
  const gate = composerGate(circleId, key, { form, restore: restoreSay });
  const el = h('section', { class: 'panel chat', testid: 'panel-chat', 'aria-label': t('chat.title'), dataset: { chat: key } },
    h('div', { class: 'panel-head' }, h('h2', { text: t('chat.title') })),
    skip,
    h('div', { class: 'chat-log-wrap' }, log, jump),
    typing.el, pollTools.slot, form, gate.el);
  tray.listen(el);
  // The composer grows with its text (up to its max-height), and shrinks once sent.
  const grow = () => {
    input.style.height = 'auto';
    if (input.value) input.style.height = `${input.scrollHeight + 2}px`;
  };
  input.addEventListener('input', () => {
    typing.typed(input.value);
    grow();
  });
  const readCounts = readsTracker(circleId, key, list);

  let manager = state.isManager(circleId);
  let threshold = state.thresholdOf(circleId);
  let loading = false;
  let firstLoad = true;
  let replyTo = null;
  let readSent = 0;
  let readTimer = null;
  let seen = 0; // the newest message that has been on screen
  let unseen = 0; // arrived while scrolled up
  let unreadAfter = null; // my read marker when the chat opened (null: not known yet)
  let newLineSeq = null; // the message the "new messages" line stands above (-1: none)
  let historyReady = chat.messages.size > 0; // the newest page is here
  const nav = messageNav(log, { loadOlder });
  const handlers = {
    chat: key,
    readBy: readCounts.readBy,
    loadQuote,
    jumpTo: (seq) => jumpToMessage(list, seq),
    star: toggleStar,
    reply: startReply,
    veto: toggleVeto,
    recall: (seq, button) => takeBack(seq, button),
    remove: (seq, button) => takeBack(seq, button),
    edit: startEdit,
    openMenu: (node) => nav.openMenu(node),
    discard: (nonce) => actions.discardMessage(circleId, group, nonce),
  };

  function textLimit() {
    return actions.maxTextChars();
  }

  // -- rendering --------------------------------------------------------------------

  const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const toBottom = () => { log.scrollTop = log.scrollHeight; };

  function render(message) {
    return messageEl(circleId, message, handlers);
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

  /**
   * Runs, day separators and the new-messages line, from the list as it is: a message
   * continues a run (`cont`: no name line, no avatar) when the one above is by the same
   * author, the same day, within RUN_MS, with no line between them.
   */
  function regroup() {
    for (const node of list.querySelectorAll(':scope > .day-sep, :scope > .new-line')) node.remove();
    placeNewLine();
    let prev = null;
    for (const node of [...list.children]) {
      if (!node.dataset.seq) {
        prev = null; // a gap
        continue;
      }
      const ts = Number(node.dataset.ts);
      const same = Boolean(prev && ts && sameDay(prev.ts, ts));
      if (ts && !same) {
        node.before(h('li', {
          class: 'day-sep', testid: 'day-sep', dataset: { order: String(Number(node.dataset.seq) - 0.3) },
        }, h('span', { text: dayLabel(ts) })));
      }
      const lineHere = Number(node.dataset.seq) === newLineSeq;
      if (lineHere) {
        node.before(h('li', {
          class: 'new-line', testid: 'new-line', dataset: { order: String(Number(node.dataset.seq) - 0.2) },
        }, h('span', { text: t('chat.newMessages') })));
      }
      const cont = Boolean(prev && same && !lineHere && prev.from === node.dataset.from && ts - prev.ts < RUN_MS);
      node.classList.toggle('cont', cont);
      prev = { ts, from: node.dataset.from };
    }
    // Pending messages continue the last run of mine.
    for (const node of pendingList.children) {
      const ts = Number(node.dataset.ts);
      const cont = Boolean(prev && prev.from === node.dataset.from && ts - prev.ts < RUN_MS && sameDay(prev.ts, ts));
      node.classList.toggle('cont', cont);
      prev = { ts, from: node.dataset.from };
    }
  }

  /** Once both my marker and the first page are known: the first message after it not mine. */
  function placeNewLine() {
    if (newLineSeq != null || unreadAfter == null || !historyReady) return;
    const me = state.session.user ? state.session.user.id : null;
    newLineSeq = -1;
    if (!unreadAfter) return; // never read: everything is new, no line
    const first = [...chat.messages.values()]
      .filter((m) => m.seq > unreadAfter && !(m.from && m.from.id === me))
      .sort((a, b) => a.seq - b.seq)[0];
    if (!first) return;
    newLineSeq = first.seq;
    queueMicrotask(() => {
      // Open at the line when it is above what the reader sees.
      const line = list.querySelector('[data-testid="new-line"]');
      if (line && line.offsetTop < log.scrollTop) log.scrollTop = Math.max(0, line.offsetTop - 8);
      drawJump();
    });
  }

  function drawJump() {
    const away = !atBottom();
    if (!away) unseen = 0;
    jump.hidden = !away;
    jump.textContent = unseen ? `↓ ${t('chat.newCount', { count: unseen })}` : '↓';
    jump.setAttribute('aria-label', unseen ? t('chat.jumpNew', { count: unseen }) : t('chat.jumpLatest'));
    jump.title = t('chat.jumpLatest');
  }

  function replace(seq) {
    const old = list.querySelector(`[data-seq="${seq}"]`);
    const message = chat.messages.get(seq);
    if (!old || !message) return;
    // Keep keyboard focus on the same button (a star's count came back, say).
    const focused = old.contains(document.activeElement) ? document.activeElement.getAttribute('data-testid') : null;
    const wasItem = document.activeElement === old;
    const node = render(message);
    node.classList.toggle('cont', old.classList.contains('cont'));
    nav.decorate(node);
    old.replaceWith(node);
    if (wasItem) node.focus();
    else if (focused) node.querySelector(`[data-testid="${focused}"]`)?.focus();
  }

  function showMessage(message) {
    const mine = Boolean(message.from && state.session.user && message.from.id === state.session.user.id);
    const stick = mine || atBottom();
    if (mine && message.nonce) pendingList.querySelector(`[data-nonce="${CSS.escape(message.nonce)}"]`)?.remove();
    insertSorted(render(message), message.seq);
    regroup();
    if (stick) toBottom();
    else if (!mine) unseen += 1;
    drawJump();
    markRead();
  }

  function showPending(item) {
    const node = pendingEl(circleId, item, handlers);
    const old = pendingList.querySelector(`[data-nonce="${CSS.escape(item.nonce)}"]`);
    if (old) old.replaceWith(node);
    else pendingList.append(node);
    regroup();
    toBottom();
  }

  function showHistory(messages) {
    const before = log.scrollHeight;
    const top = log.scrollTop;
    for (const message of messages) insertSorted(render(message), message.seq);
    older.hidden = !chat.more;
    const wasFirst = firstLoad;
    firstLoad = false;
    historyReady = true;
    regroup();
    if (wasFirst) toBottom();
    else log.scrollTop = top + (log.scrollHeight - before); // keep what the reader was looking at
    markRead();
  }

  function showGap(fromSeq, toSeq) {
    const node = h('li', {
      class: 'gap', testid: 'gap', dataset: { order: String(fromSeq - 0.5) },
      text: t('chat.gap', { from: String(fromSeq), to: String(toSeq) }), // seqs, not amounts: no 100,010
    });
    insertSorted(node, fromSeq - 0.5);
    regroup();
  }

  function refreshPromoted() {
    const seqs = promotedSeqs(circleId, key);
    for (const node of list.querySelectorAll('[data-seq]')) {
      const seq = Number(node.dataset.seq);
      if (seqs.has(seq) !== node.classList.contains('promoted')) replace(seq);
    }
  }

  /** A lesson's live range became known (the plan loaded, a lesson went live or ended). */
  function refreshLessons() {
    for (const node of list.querySelectorAll('[data-seq]')) {
      const seq = Number(node.dataset.seq);
      const marked = Boolean(node.querySelector('[data-testid="msg-during-lesson"]'));
      if (Boolean(duringLesson(key, seq)) !== marked) replace(seq);
    }
  }

  function readMarkerKnown() {
    if (unreadAfter != null) return;
    const box = reads.readsOf(key);
    const me = state.session.user ? state.session.user.id : null;
    if (!box.loaded || box.off || !me) return;
    unreadAfter = box.markers.get(me) || 0;
    regroup();
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
      await actions.loadOlder(circleId, group, before, PAGE);
    } catch (err) {
      if (!['offline', 'disconnected'].includes(err.code)) toast(errorText(err));
    } finally {
      loading = false;
      older.disabled = false;
    }
  }

  /**
   * A message shown in its context (a search result): older history loaded back to it, then
   * scrolled to and flashed. False when it is not there (deleted, pruned, hidden).
   */
  async function reveal(seq) {
    for (let tries = 0; tries < REVEAL_TRIES; tries += 1) {
      if (list.querySelector(`[data-seq="${seq}"]`)) break;
      const seqs = [...chat.messages.keys()];
      if (!seqs.length) { // the newest page is on its way (the chat was just opened)
        await new Promise((resolve) => { setTimeout(resolve, 100); });
        continue;
      }
      const before = Math.min(...seqs);
      if (before <= seq || !chat.more) break;
      try {
        await actions.loadOlder(circleId, group, before, Math.min(HISTORY_PAGE_MAX, before - seq + PAGE));
      } catch (err) {
        if (!['offline', 'disconnected'].includes(err.code)) toast(errorText(err));
        return false;
      }
    }
    const node = list.querySelector(`[data-seq="${seq}"]`);
    if (!node) return false;
    // At once, not smoothly: the log sticks to its newest message on focus changes
    // (viewport.js) until a scroll event says it left the bottom, and a smooth scroll's
    // first steps do not; once more after the frame, for a stick already scheduled.
    const there = () => node.isConnected && node.scrollIntoView({ block: 'center' });
    there();
    requestAnimationFrame(there);
    node.classList.add('flash');
    setTimeout(() => node.classList.remove('flash'), 1600);
    return true;
  }

  /** A quoted message not loaded here: one history page that ends with it. */
  async function loadQuote(seq) {
    return actions.fetchMessage(circleId, group, seq);
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
    if (top > readSent && actions.markRead(circleId, group, top)) readSent = top;
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
    if (!text.trim() && !tray.count()) return;
    if (!tray.ready()) {
      toast(t('media.waitUploads'));
      return;
    }
    const limit = textLimit();
    if (text.length > limit) {
      toast(t('chat.tooLong', { count: limit }));
      return;
    }
    try {
      actions.sendMessage(circleId, group, text, replyTo, tray.attachments());
    } catch (err) {
      toast(err.code === 'too_big' ? t('chat.tooLong', { count: err.params.max }) : errorText(err));
      return;
    }
    input.value = '';
    tray.clear();
    grow();
    cancelReply();
    input.focus();
  }

  function insertEmoji(value) {
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? start;
    input.setRangeText(value, start, end, 'end');
    input.focus();
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }

  /** After a button's action: the focus back on it (busy disabled it, the message was redrawn). */
  function refocus(seq, testid, had) {
    if (!had) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    list.querySelector(`[data-seq="${seq}"] [data-testid="${testid}"]`)?.focus();
  }

  async function toggleStar(seq, button) {
    const info = chat.stars.get(seq) || { mine: false };
    const had = document.activeElement === button;
    await busy(button, async () => {
      await actions.setStar(circleId, group, seq, !info.mine);
    });
    refocus(seq, 'star-btn', had);
  }

  async function toggleVeto(seq, button) {
    const vetoed = chat.vetoed.has(seq);
    const had = document.activeElement === button;
    await busy(button, async () => {
      await actions.setVeto(circleId, group, seq, !vetoed);
    });
    refocus(seq, 'veto-btn', had);
  }

  async function takeBack(seq, button) {
    nav.closeMenu();
    await busy(button, () => actions.deleteMessage(circleId, group, seq));
  }

  function startEdit(seq) {
    const message = chat.messages.get(seq);
    const item = list.querySelector(`[data-seq="${seq}"]`);
    if (!message || !item) return;
    nav.closeMenu();
    editInline(item, message, async (text, button) => {
      const done = await busy(button, async () => {
        await actions.editMessage(circleId, group, seq, text);
        return true;
      });
      return done === true;
    });
  }

  function startReply(seq) {
    const message = chat.messages.get(seq);
    if (!message) return;
    nav.closeMenu();
    replyTo = seq;
    replyBar.replaceChildren(...replyBarContent(message, () => { cancelReply(); input.focus(); }));
    replyBar.hidden = false;
    input.focus();
  }

  /** A say the server refused (slow mode, a mute): its text back in the composer. */
  function restoreSay(text, seq) {
    if (input.value.trim()) return; // something new was typed meanwhile: keep that
    input.value = text;
    grow();
    if (seq != null) startReply(seq);
  }

  function cancelReply() {
    replyTo = null;
    replyBar.hidden = true;
    replyBar.replaceChildren();
  }

  // Enter sends, except while an IME composes (pinyin, zhuyin, kana…): the Enter that picks
  // a candidate has isComposing (Chrome, Firefox) or keyCode 229 (Safari), and in Safari
  // it may come right after compositionend — in the same turn of the event loop.
  let composing = false;
  let justComposed = false;
  input.addEventListener('compositionstart', () => { composing = true; });
  input.addEventListener('compositionend', () => {
    composing = false;
    justComposed = true;
    setTimeout(() => { justComposed = false; }, 0);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      if (event.isComposing || event.keyCode === 229 || composing || justComposed) return;
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape' && replyTo) cancelReply();
  });
  log.addEventListener('scroll', () => {
    if (log.scrollTop < 60) loadOlder();
    drawJump();
    markRead(); // messages scrolled into view are read
  });
  document.addEventListener('visibilitychange', markRead);
  older.addEventListener('click', loadOlder);

  // -- state events -----------------------------------------------------------------

  const mine = (fn) => (detail) => detail.circle === key && fn(detail); // this chat's
  const ofCircle = (fn) => (detail) => detail.circle === circleId && fn(detail);
  const offs = [
    // The welcome's limits: the composer's maxlength.
    state.on(EV.limits, () => { input.maxLength = textLimit(); }),
    state.on(EV.message, mine((d) => showMessage(d.message))),
    state.on(EV.messageUpdated, mine((d) => replace(d.message.seq))),
    state.on(EV.history, mine((d) => showHistory(d.messages))),
    state.on(EV.pending, mine((d) => showPending(d.pending))),
    state.on(EV.pendingDropped, mine((d) => {
      pendingList.querySelector(`[data-nonce="${CSS.escape(d.nonce)}"]`)?.remove();
      regroup();
    })),
    state.on(EV.starsChanged, mine((d) => replace(d.seq))),
    state.on(EV.gap, mine((d) => showGap(d.fromSeq, d.toSeq))),
    state.on(EV.postsChanged, ofCircle(refreshPromoted)),
    state.on(EV.lessonsChanged, ofCircle(refreshLessons)),
    state.on(EV.readsChanged, (d) => d.chat === key && readMarkerKnown()),
    state.on(EV.circlesChanged, () => {
      // The role arrived or changed: managers get the veto button on every message.
      if (state.isManager(circleId) === manager) return;
      manager = state.isManager(circleId);
      for (const node of list.querySelectorAll('[data-seq]')) replace(Number(node.dataset.seq));
    }),
    state.on(EV.circleInfo, ofCircle(() => {
      // A new promote threshold changes every "2/3".
      if (state.thresholdOf(circleId) === threshold) return;
      threshold = state.thresholdOf(circleId);
      for (const seq of chat.stars.keys()) replace(seq);
    })),
    state.on(EV.joined, mine(() => {
      if (firstLoad) loadOlder();
      else readCounts.reload(); // back after a disconnect: markers may have moved meanwhile
      polls.loadGroupPolls(key, { force: true });
    })),
    // A message learns it asks a poll (its card then keeps itself current).
    state.on(EV.pollChanged, (d) => {
      if (d.poll.group !== key || d.poll.seq == null) return;
      const node = list.querySelector(`[data-seq="${d.poll.seq}"]`);
      if (node && !node.querySelector('[data-testid="poll"]')) replace(d.poll.seq);
    }),
  ];
  // Whatever is already known (a re-render of the same circle).
  for (const message of [...chat.messages.values()].sort((a, b) => a.seq - b.seq)) list.append(render(message));
  for (const item of chat.pending.values()) pendingList.append(pendingEl(circleId, item, handlers));
  readMarkerKnown();
  regroup();
  older.hidden = true;
  if (chat.highWater != null) loadOlder(); // a group already followed, shown again

  return {
    el,
    focus: () => input.focus(),
    reveal,
    shown: () => {
      toBottom();
      drawJump();
      markRead();
    },
    destroy() {
      document.removeEventListener('visibilitychange', markRead);
      if (readTimer != null) {
        clearTimeout(readTimer);
        sendRead();
      }
      for (const off of offs) off();
      nav.destroy();
      typing.destroy();
      gate.destroy();
      readCounts.destroy();
      emoji.close();
      tray.clear(); // uploads not sent are cancelled
    },
  };
}
