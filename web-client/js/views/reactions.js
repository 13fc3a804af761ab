// The reaction bar under a chat message or a post: each emoji with its count (mine
// highlighted; a click gives or withdraws mine), an add button with a small picker of
// the default emoji (shown on hover on a desktop; a long press on the message or post
// opens it on a phone), and who reacted (on hover, or a long press on a count). Bars
// update themselves on the store's 'reactions' announcements: the views that hold them
// need not re-render.

import { busy, h } from '../dom.js';
import { formatList, t } from '../i18n.js';
import * as reactions from '../store/reactions.js';
import * as state from '../store/state.js';
import { EV } from '../store/names.js';

// Offered first; any emoji can come from other clients and is shown all the same.
export const DEFAULT_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '🙏'];

// The words of this view, from the catalogues (chat.*), read when drawn.
const TEXT = {
  add: () => t('chat.reactAdd'),
  picker: () => t('chat.reactPicker'),
  give: (emoji) => t('chat.reactGive', { emoji }),
  withdraw: (emoji) => t('chat.reactWithdraw', { emoji }),
  count: (emoji, n) => t('chat.reactCount', { emoji, count: n }),
  loading: () => t('common.loading'),
  who: (emoji, names, more) => (more > 0
    ? t('chat.reactWhoMore', { emoji, names: formatList(names), count: more })
    : t('chat.reactWho', { emoji, names: formatList(names) })),
  failed: () => t('chat.reactWhoFailed'),
};

const LONG_PRESS_MS = 500;
// Who reacted stays fresh for a short while: hovering along a row asks once.
const WHO_FRESH_MS = 5000;

const bars = new Map(); // target key → Set(bar element)
const whoCache = new Map(); // target key → {at, list}

state.on(EV.reactionsChanged, ({ key }) => {
  whoCache.delete(key);
  const set = bars.get(key);
  if (!set) return;
  for (const bar of [...set]) {
    if (bar.isConnected) renderChips(bar);
    else set.delete(bar);
  }
  if (!set.size) bars.delete(key);
});

/**
 * Give `item` (a message's or a post's element) its reaction bar for `target` ({group,
 * seq} or {post}), right after `actions` (the item's row of actions, which also gets the
 * add button) or at its end — or at the end of `barIn` — and the long press: `onLongPress`
 * (a message opens its menu) or else the picker; returns `item`.
 */
export function withReactions(item, target, { actions = null, barIn = null, onLongPress: pressed = null } = {}) {
  const bar = reactionBar(target);
  if (barIn) {
    barIn.append(bar);
    if (actions) actions.insertBefore(bar.addButton, actions.querySelector('.veto'));
    else bar.prepend(bar.addButton);
  } else if (actions && actions.parentNode === item) {
    actions.after(bar);
    // Before a manager's tools, which are many: it stays on the first line.
    const tools = [...actions.children].find((child) => child.classList.contains('tools'));
    actions.insertBefore(bar.addButton, tools || null);
  } else {
    item.append(bar);
    bar.prepend(bar.addButton);
  }
  onLongPress(item, (event) => {
    if (event.target.closest('button, a, input, textarea, select')) return false;
    if (pressed) pressed(event);
    else openPicker(bar, true);
    return true;
  });
  return item;
}

/** The bar (chips, picker, who) of a target; its add button is `bar.addButton`, to place. */
export function reactionBar(target) {
  const key = reactions.keyOf(target);
  const chips = h('span', { class: 'reaction-chips' });
  const picker = h('div', { class: 'reaction-picker', testid: 'reaction-picker', role: 'group', 'aria-label': TEXT.picker(), hidden: true },
    DEFAULT_EMOJI.map((emoji) => h('button', {
      type: 'button', class: 'pick', testid: 'pick-emoji', dataset: { emoji },
      'aria-label': TEXT.give(emoji), text: emoji,
      onclick: (event) => {
        const button = event.currentTarget;
        openPicker(bar, false);
        if (reactions.mineOf(target, emoji)) return; // picking one I gave keeps it
        busy(button, () => reactions.toggle(target, emoji));
      },
    })));
  const add = h('button', {
    type: 'button', class: 'reaction-add', testid: 'reaction-add', 'aria-label': TEXT.add(),
    'aria-expanded': 'false', title: TEXT.add(),
    onclick: () => openPicker(bar, picker.hidden),
  }, h('span', { class: 'icon', 'aria-hidden': 'true', text: '☺+' }), h('span', { class: 'label', text: t('chat.react') }));
  const who = h('div', { class: 'reaction-who', testid: 'reaction-who', role: 'status', hidden: true });
  const bar = h('div', { class: 'reactions', testid: 'reactions', dataset: { key } }, chips, picker, who);
  bar.reactionTarget = target;
  bar.addButton = add;
  const escape = (event) => {
    if (event.key !== 'Escape' || picker.hidden) return;
    event.stopPropagation(); // one Escape closes one thing (the message's menu stays)
    openPicker(bar, false);
    if (add.isConnected && add.offsetParent) add.focus({ preventScroll: true });
  };
  bar.addEventListener('keydown', escape);
  add.addEventListener('keydown', escape);
  if (!bars.has(key)) bars.set(key, new Set());
  bars.get(key).add(bar);
  renderChips(bar);
  return bar;
}

function openPicker(bar, open) {
  const picker = bar.querySelector('.reaction-picker');
  const add = bar.addButton;
  picker.hidden = !open;
  add.setAttribute('aria-expanded', open ? 'true' : 'false');
  bar.classList.toggle('picking', open);
  add.classList.toggle('picking', open);
  if (open) picker.querySelector('button')?.focus({ preventScroll: true });
}

/**
 * The chips of a bar, brought up to date in place: a chip already shown stays the same
 * element (a click that lands while a count changes is not lost), new ones are made.
 */
function renderChips(bar) {
  const target = bar.reactionTarget;
  const list = reactions.reactionsOf(target);
  const chips = bar.querySelector('.reaction-chips');
  const shown = new Map([...chips.children].map((el) => [el.dataset.emoji, el]));
  chips.replaceChildren(...list.map((item) => {
    const known = shown.get(item.emoji);
    if (!known) return chip(bar, target, item);
    setChip(known, item);
    return known;
  }));
  bar.classList.toggle('has-reactions', list.length > 0);
}

function setChip(button, { emoji, count, mine }) {
  button.classList.toggle('on', mine);
  button.setAttribute('aria-pressed', mine ? 'true' : 'false');
  button.setAttribute('aria-label', `${TEXT.count(emoji, count)}. ${mine ? TEXT.withdraw(emoji) : TEXT.give(emoji)}`);
  button.querySelector('.count').textContent = String(count);
}

function chip(bar, target, item) {
  const { emoji } = item;
  const button = h('button', {
    type: 'button', class: 'reaction', testid: 'reaction', dataset: { emoji },
    onclick: () => busy(button, () => reactions.toggle(target, emoji)),
    onmouseenter: () => showWho(bar, target, emoji),
    onfocus: () => showWho(bar, target, emoji),
    onmouseleave: () => hideWho(bar),
    onblur: () => hideWho(bar),
  }, h('span', { class: 'emoji', text: emoji }), h('span', { class: 'count', testid: 'reaction-count' }));
  setChip(button, item);
  onLongPress(button, () => {
    showWho(bar, target, emoji);
    return true;
  });
  return button;
}

async function showWho(bar, target, emoji) {
  const box = bar.querySelector('.reaction-who');
  box.dataset.emoji = emoji;
  box.hidden = false;
  const key = reactions.keyOf(target);
  let cached = whoCache.get(key);
  if (!cached || Date.now() - cached.at > WHO_FRESH_MS) {
    box.textContent = TEXT.loading();
    try {
      cached = { at: Date.now(), list: await reactions.whoReacted(target) };
      whoCache.set(key, cached);
    } catch {
      if (box.dataset.emoji === emoji) box.textContent = TEXT.failed();
      return;
    }
  }
  if (box.dataset.emoji !== emoji || box.hidden) return; // moved on meanwhile
  const entry = cached.list.find((item) => item.emoji === emoji);
  const names = entry ? entry.users.map((user) => user.name) : [];
  box.textContent = TEXT.who(emoji, names, entry ? entry.count - names.length : 0);
}

function hideWho(bar) {
  const box = bar.querySelector('.reaction-who');
  box.hidden = true;
  delete box.dataset.emoji;
}

/**
 * Call fn(event) when a finger (or the mouse) rests on `el`; fn returns true when it took
 * the press, and the click that ends it is then swallowed.
 */
function onLongPress(el, fn) {
  let timer = null;
  let start = null;
  let took = false;
  const cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  el.addEventListener('pointerdown', (event) => {
    if (event.pointerType === 'mouse') return; // a mouse hovers instead
    took = false;
    start = { x: event.clientX, y: event.clientY };
    cancel();
    timer = setTimeout(() => {
      timer = null;
      took = Boolean(fn(event));
    }, LONG_PRESS_MS);
  });
  el.addEventListener('pointermove', (event) => {
    if (start && Math.hypot(event.clientX - start.x, event.clientY - start.y) > 10) cancel();
  });
  for (const type of ['pointerup', 'pointercancel', 'pointerleave']) el.addEventListener(type, cancel);
  el.addEventListener('click', (event) => {
    if (!took) return;
    took = false;
    event.preventDefault();
    event.stopPropagation();
  }, true);
  el.addEventListener('contextmenu', (event) => {
    if (took || timer) event.preventDefault(); // the long press, not the browser's menu
  });
}
