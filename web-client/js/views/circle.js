// One circle's page: header (name, members, online count), tabs, and the panels. On a wide
// screen the chat stays on the left and the tabs switch the right side (highlights, feed,
// settings); on a narrow one the tabs switch between all four. Opening the page starts
// following the circle's events (circle-events.js); closing it stops.

import { closeCircle, openCircle } from '../circle-events.js';
import { h, toast } from '../dom.js';
import { loadCircles } from '../loaders.js';
import * as offline from '../offline.js';
import * as state from '../store/state.js';
import { feedView } from './feed.js';
import { groupedChat } from './groups.js';
import { highlightsView } from './highlights.js';
import { settingsView } from './settings.js';

const TABS = [
  ['chat', 'Chat'],
  ['highlights', 'Highlights'],
  ['feed', 'Feed'],
  ['settings', 'Settings'],
];
const WIDE = window.matchMedia('(min-width: 900px)');

export function circleView(container, circleId, { socket }) {
  if (!offline.showingSnapshot()) state.resetChat(circleId); // offline: the last-known messages

  const title = h('h1', { class: 'circle-title', testid: 'circle-title', text: state.circles.get(circleId)?.name || 'Circle' });
  const about = h('p', { class: 'muted small', testid: 'circle-about' });
  const online = h('span', { class: 'online', testid: 'online-count', 'aria-live': 'polite' });
  const header = h('header', { class: 'circle-head' },
    h('a', { href: '#/', class: 'back', testid: 'back-link', text: '← Circles' }),
    h('div', { class: 'grow' }, title, about),
    online);

  const chat = groupedChat(circleId, { socket }); // the chat of the group shown, and the groups
  const highlights = highlightsView(circleId);
  const feed = feedView(circleId);
  const panels = { chat, highlights, feed, settings: null };
  const settingsSlot = h('section', { class: 'panel settings', testid: 'panel-settings', 'aria-label': 'Settings' },
    h('p', { class: 'muted', text: 'Loading…' }));

  let active = 'chat';
  const buttons = TABS.map(([key, label]) => h('button', {
    type: 'button', role: 'tab', id: `tab-${key}`, class: `tab tab-${key}`, testid: `tab-${key}`,
    'aria-controls': `panel-${key}`, dataset: { tab: key },
    onclick: () => show(key, true),
  }, label, key === 'highlights' ? h('span', { class: 'dot', testid: 'tab-highlights-new', hidden: true, 'aria-label': 'new' }) : null));
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Circle views' }, buttons);
  tablist.addEventListener('keydown', onTabKey);

  for (const [key, view] of Object.entries({ chat: chat.el, highlights: highlights.el, feed: feed.el, settings: settingsSlot })) {
    view.id = `panel-${key}`;
    view.setAttribute('role', 'tabpanel');
    view.setAttribute('aria-labelledby', `tab-${key}`);
    view.classList.add(`panel-${key}`);
  }
  const body = h('div', { class: 'circle-body', testid: 'circle-body' },
    chat.el, highlights.el, feed.el, settingsSlot);
  const page = h('div', { class: 'circle-page', testid: 'circle-page', dataset: { circleId } }, header, tablist, body);
  container.replaceChildren(page);

  function shownTab() {
    return WIDE.matches && active === 'chat' ? 'highlights' : active;
  }

  function show(key, focusPanel = false) {
    active = key;
    apply();
    if (key === 'chat') chat.shown();
    if (key === 'settings' && panels.settings) panels.settings.shown();
    if (focusPanel && key === 'chat') chat.focus();
  }

  function apply() {
    const shown = shownTab();
    body.dataset.tab = shown;
    page.dataset.wide = String(WIDE.matches);
    for (const button of buttons) {
      const selected = button.dataset.tab === shown;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    if (shown === 'highlights') buttons[1].querySelector('.dot').hidden = true;
  }

  function onTabKey(event) {
    const visible = buttons.filter((b) => b.offsetParent !== null);
    const at = visible.indexOf(document.activeElement);
    if (at < 0) return;
    let to = null;
    if (event.key === 'ArrowRight') to = (at + 1) % visible.length;
    else if (event.key === 'ArrowLeft') to = (at - 1 + visible.length) % visible.length;
    else if (event.key === 'Home') to = 0;
    else if (event.key === 'End') to = visible.length - 1;
    if (to == null) return;
    event.preventDefault();
    visible[to].focus();
    show(visible[to].dataset.tab);
  }

  function showInfo(info) {
    if (!info.name) return; // only some fields yet (an event came before the circle's map)
    title.textContent = info.name;
    document.title = `${info.name} · Quanzi`;
    about.replaceChildren(...[
      info.kind, info.visibility,
      info.members == null ? null : h('span', { testid: 'member-count', text: membersText(info.members) }),
      info.description,
    ].filter(Boolean).flatMap((part, i) => (i ? [' · ', part] : [part])));
  }

  function showOnline() {
    const count = state.chatOf(circleId).online;
    online.textContent = count == null ? '' : `${count} online`;
  }

  function showSettings() {
    panels.settings = settingsView(circleId);
    panels.settings.el.id = 'panel-settings';
    panels.settings.el.classList.add('panel-settings');
    panels.settings.el.setAttribute('role', 'tabpanel');
    panels.settings.el.setAttribute('aria-labelledby', 'tab-settings');
    settingsSlot.replaceWith(panels.settings.el);
    if (active === 'settings') panels.settings.shown();
  }

  async function load() {
    try {
      if (!state.circles.has(circleId)) await loadCircles();
      if (closed) return;
      await openCircle(circleId, { onInfo: () => !closed && showSettings() });
    } catch (err) {
      if (closed) return;
      if (err.during === 'posts') {
        toast(`Highlights: ${err.message}`);
        return;
      }
      const gone = err.code === 'forbidden' || err.code === 'not_found';
      toast(gone ? 'You are not a member of this circle.' : err.message);
      if (gone) location.hash = '#/';
    }
  }

  const offs = [
    state.on('presence', (d) => d.circle === circleId && showOnline()),
    state.on('circle-info', (d) => d.circle === circleId && showInfo(d.info)),
    state.on('highlight', (f) => {
      if (f.circle === circleId && shownTab() !== 'highlights') buttons[1].querySelector('.dot').hidden = false;
    }),
    state.on('left', (d) => {
      if (d.circle !== circleId) return;
      toast(d.reason === 'circle_deleted' ? 'This circle was deleted.' : 'You are no longer a member of this circle.');
      location.hash = '#/';
    }),
  ];
  let closed = false;
  WIDE.addEventListener('change', apply);
  apply();
  if (state.infoOf(circleId)) showInfo(state.infoOf(circleId));
  load();
  socket.join(circleId).catch(() => {}); // offline: joined when the socket is back
  chat.focus();

  return () => {
    closed = true;
    closeCircle(circleId);
    socket.leave(circleId);
    WIDE.removeEventListener('change', apply);
    for (const off of offs) off();
    for (const panel of Object.values(panels)) if (panel) panel.destroy();
    document.title = 'Quanzi';
  };
}

function membersText(count) {
  return `${count} member${count === 1 ? '' : 's'}`;
}
