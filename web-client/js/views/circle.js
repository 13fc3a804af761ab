// One circle's page: its header (back, name, members, who is online, the groups button) in
// the top bar, the tabs, and the panels. On a wide screen the chat stays on the left and the
// tabs switch the right side (highlights, feed, settings); below 900 px the tabs switch
// between all four, and on a phone (≤ 600 px, layout.css) they are a bar at the bottom
// whose fourth tab is "More": groups, members, language and the settings. Opening the page
// starts following the circle's events (circle-events.js); closing it stops.

import * as actions from '../actions.js';
import { closeCircle, openCircle } from '../circle-events.js';
import { h, toast } from '../dom.js';
import * as i18n from '../i18n.js';
import { errorText, t } from '../i18n.js';
import { loadCircles } from '../loaders.js';
import * as offline from '../offline.js';
import * as state from '../store/state.js';
import { watchViewport } from '../viewport.js';
import { feedView } from './feed.js';
import { groupedChat } from './groups.js';
import { highlightsView } from './highlights.js';
import { challengesView } from './challenges.js';
import { contestsView } from './contests.js';
import { gatheringsView } from './gatherings.js';
import { pointsView } from './points.js';
import { homeworkView } from './homework.js';
import { courseView } from './course.js';
import { materialsView } from './materials.js';
import { searchView } from './search.js';
import { settingsView } from './settings.js';
import { takeAim } from './notification-targets.js';
import { pendingOf } from '../store/join-requests.js';
import { EV } from '../store/names.js';
import { phoneSplit, sectionLabelKey, tabsOf } from '../store/sections.js';

const TABS = ['chat', 'highlights', 'feed', 'course', 'events', 'challenges', 'contests', 'homework', 'points', 'materials', 'search', 'settings'];
const WIDE = window.matchMedia('(min-width: 900px)');
const PHONE = window.matchMedia('(max-width: 600px)');
const SVG = 'http://www.w3.org/2000/svg';
// 24×24 outlines for the phone's tab bar.
const ICONS = {
  chat: 'M4 5h16v11H9l-5 4z',
  highlights: 'M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1-5.4-2.9-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z',
  feed: 'M5 4h14v16H5zM8 8h8M8 12h8M8 16h5',
  challenges: 'M5 4h14v16H5zM8 12l3 3 5-6',
  events: 'M4 6h16v14H4zM4 10h16M8 3v5M16 3v5',
  points: 'M12 3v18M7 8h7a3 3 0 0 1 0 6H8',
  contests: 'M8 4h8v5a4 4 0 0 1-8 0zM12 13v4M8 20h8M8 6H5v2a3 3 0 0 0 3 3M16 6h3v2a3 3 0 0 1-3 3',
  homework: 'M4 4h12l4 4v12H4zM8 12h8M8 16h5',
  course: 'M4 5h11v14H4zM15 9l5-3v12l-5-3',
  materials: 'M3 6h6l2 2h10v11H3z',
  search: 'M10 4a6 6 0 1 0 0 12 6 6 0 0 0 0-12zM14.5 14.5 20 20',
  settings: 'M6 12h.01M12 12h.01M18 12h.01',
};
let reopenOn = null; // { circleId, tab }: the tab to show when the page is drawn again (a new language)

function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name] || ICONS.feed); // a tab without its own icon yet
  svg.append(path);
  return svg;
}

export function circleView(container, circleId) {
  if (!offline.showingSnapshot()) state.resetChat(circleId); // offline: the last-known messages
  const title = h('h1', { class: 'circle-title', testid: 'circle-title', text: state.circles.get(circleId)?.name || t('circle.untitled') });
  const about = h('span', { class: 'circle-about', testid: 'circle-about' });
  const online = h('span', { class: 'online', testid: 'online-count', 'aria-live': 'polite' });
  const chat = groupedChat(circleId); // the chat of the group shown, and the groups
  const header = h('div', { class: 'circle-head', testid: 'circle-head' },
    h('a', { href: '#/', class: 'back', testid: 'back-link', 'aria-label': t('circle.back'), title: t('circle.back') },
      h('span', { 'aria-hidden': 'true', text: '←' })),
    h('div', { class: 'circle-titles' }, title, h('p', { class: 'circle-sub' }, online, about)),
    chat.toggle);
  // The groups button opens the drawer over the chat: show the chat first.
  chat.toggle.addEventListener('click', () => {
    if (active !== 'chat' && !WIDE.matches) show('chat');
  }, true);

  const highlights = highlightsView(circleId);
  const feed = feedView(circleId);
  const materials = materialsView(circleId); // on a phone: from "More"
  const challenges = challengesView(circleId); // on a phone: from "More"
  const course = courseView(circleId); // on a phone: from "More"
  const events = gatheringsView(circleId); // on a phone: from "More"
  const points = pointsView(circleId); // on a phone: from "More"
  const contests = contestsView(circleId); // on a phone: from "More"
  const homework = homeworkView(circleId); // on a phone: from "More"
  const search = searchView(circleId, { onOpen: openResult }); // on a phone: from "More"
  const panels = { chat, highlights, feed, course, events, challenges, contests, homework, points, materials, search, settings: null };
  const settingsSlot = h('section', { class: 'panel settings', testid: 'panel-settings' },
    h('p', { class: 'muted', text: t('common.loading') }));
  // The More menu's first list: the groups (with a chat) and the sections past the bar.
  const moreTop = h('ul', { class: 'more-top', testid: 'more-sections' });
  const moreGroups = h('li', {}, h('button', {
    type: 'button', class: 'more-item', testid: 'more-groups', text: t('circle.groups.title'),
    onclick: () => {
      show('chat');
      chat.openDrawer();
    },
  }));
  const more = h('section', { class: 'panel more', testid: 'panel-more' },
    moreMenu(), settingsSlot);

  // The circle's sections make its tabs (store/sections.js): the first one opens the page.
  const known = TABS.filter((key) => key in panels);
  const sectionsNow = () => (state.infoOf(circleId) || state.circles.get(circleId) || {}).sections;
  const kindNow = () => (state.infoOf(circleId) || state.circles.get(circleId) || {}).kind;
  let tabs = tabsOf(sectionsNow(), known);
  let chosen = Boolean(reopenOn && reopenOn.circleId === circleId); // a tab the member picked
  let active = chosen ? reopenOn.tab : tabs[0];
  if (/^#\/c\/[^/]+\/challenges\//.test(location.hash) && tabs.includes('challenges')) {
    active = 'challenges'; // a featured check-in's link
    chosen = true;
  }
  if (/^#\/c\/[^/]+\/homework\//.test(location.hash) && tabs.includes('homework')) {
    active = 'homework'; // a highlight's link to homework
    chosen = true;
  }
  reopenOn = null;
  // Join requests waiting (owners and admins of a circle that takes them): live.
  const requestsBadge = h('span', { class: 'badge requests-badge', testid: 'tab-settings-requests', hidden: true, 'aria-label': t('joining.requests') });
  const showRequests = () => {
    const n = pendingOf(circleId);
    requestsBadge.textContent = n ? String(n) : '';
    requestsBadge.hidden = !n || !state.isManager(circleId);
  };
  const buttons = TABS.map((key) => h('button', {
    type: 'button', role: 'tab', id: `tab-${key}`, class: `tab tab-${key}`, testid: `tab-${key}`,
    'aria-controls': `panel-${key}`, dataset: { tab: key },
    onclick: () => {
      chosen = true;
      show(key, true);
    },
  }, icon(key),
  key === 'settings'
    ? [h('span', { class: 'tab-label wide-only', text: t('circle.tab.settings') }),
      h('span', { class: 'tab-label phone-only', text: t('circle.tab.more') })]
    : h('span', { class: 'tab-label', text: t(sectionLabelKey(key, kindNow())) }),
  key === 'highlights' ? h('span', { class: 'dot', testid: 'tab-highlights-new', hidden: true, role: 'img', 'aria-label': t('circle.newHighlights') }) : null,
  key === 'settings' ? requestsBadge : null));
  const tablist = h('div', { class: 'tabs', role: 'tablist', testid: 'tabs', 'aria-label': t('circle.views') }, buttons);
  tablist.addEventListener('keydown', onTabKey);

  for (const [key, view] of Object.entries({ chat: chat.el, highlights: highlights.el, feed: feed.el, course: course.el, events: events.el, challenges: challenges.el, contests: contests.el, homework: homework.el, points: points.el, materials: materials.el, search: search.el, settings: more })) {
    view.id = `panel-${key}`;
    view.setAttribute('role', 'tabpanel');
    view.setAttribute('aria-labelledby', `tab-${key}`);
    view.classList.add(`panel-${key}`);
  }
  const body = h('div', { class: 'circle-body', testid: 'circle-body' }, chat.el, highlights.el, feed.el, course.el, events.el, challenges.el, contests.el, homework.el, points.el, materials.el, search.el, more);
  const page = h('div', { class: 'circle-page', testid: 'circle-page', dataset: { circleId } }, tablist, body);
  const slot = document.getElementById('topbar-slot');
  if (slot) slot.replaceChildren(header);
  else page.prepend(header);
  container.replaceChildren(page);
  document.body.classList.add('in-circle');
  const stopViewport = watchViewport();

  /** The phone's "More": the groups, the sections past the bar's first few, the members,
   *  the language; the settings follow. */
  function moreMenu() {
    const language = h('select', {
      class: 'more-language', testid: 'more-language', 'aria-label': t('app.language'),
      onchange: () => {
        reopenOn = { circleId, tab: 'settings' };
        i18n.setLocale(language.value);
      },
    }, i18n.available().map(({ tag, name }) => h('option', { value: tag, lang: tag, text: name, selected: tag === i18n.locale() })));
    const item = (testid, text, onclick) => h('li', {}, h('button', { type: 'button', class: 'more-item', testid, text, onclick }));
    return h('nav', { class: 'more-menu phone-only', testid: 'more-menu', 'aria-label': t('circle.tab.more') },
      moreTop,
      h('ul', {},
        item('more-members', t('circle.members'), () => {
          more.querySelector('[data-testid="members-section"]')?.scrollIntoView({ block: 'start' });
        }),
        h('li', { class: 'more-field' }, h('label', { class: 'more-label' }, h('span', { text: t('app.language') }), language)),
        item('more-logout', t('app.logout'), () => document.getElementById('logout')?.click())));
  }

  /** A search result chosen: the message in its chat, the post in the feed, the files. */
  function openResult(result) {
    if (result.kind === 'tab') {
      if (tabs.includes(result.tab)) {
        chosen = true;
        show(result.tab);
      }
      return;
    }
    if (result.kind === 'message') {
      show('chat');
      chat.reveal(result.group, result.seq).then((found) => {
        if (!found) toast(t('search.gone'));
      });
      return;
    }
    if (result.kind === 'attachment') {
      show('materials');
      return;
    }
    show('feed');
    const card = feed.el.querySelector(`[data-post-id="${CSS.escape(result.post)}"]`);
    if (!card) {
      toast(t('search.postNotLoaded'));
      return;
    }
    card.scrollIntoView({ block: 'start' });
    card.classList.add('flash');
    setTimeout(() => card.classList.remove('flash'), 1600);
  }

  function highlightsDot() {
    return buttons.find((b) => b.dataset.tab === 'highlights').querySelector('.dot');
  }

  function shownTab() {
    // Wide, the chat is on the left: the right side shows the first other tab.
    if (WIDE.matches && active === 'chat') return tabs.find((key) => key !== 'chat') || 'settings';
    return active;
  }

  /** The tabs from the circle's sections: which show, in what order, which the phone's bar
   *  keeps and which go to More. Called again whenever the circle's sections change. */
  function layoutTabs() {
    tabs = tabsOf(sectionsNow(), known);
    const { bar, more: rest } = phoneSplit(tabs);
    const byKey = Object.fromEntries(buttons.map((b) => [b.dataset.tab, b]));
    for (const button of buttons) {
      const key = button.dataset.tab;
      button.hidden = !tabs.includes(key);
      button.classList.toggle('phone-bar', bar.includes(key) || key === 'settings');
      button.classList.toggle('phone-more', rest.includes(key));
      const label = button.querySelector('.tab-label:not(.wide-only):not(.phone-only)');
      if (label) label.textContent = t(sectionLabelKey(key, kindNow()));
    }
    tablist.replaceChildren(...tabs.map((key) => byKey[key]), ...buttons.filter((b) => b.hidden));
    page.dataset.chat = tabs.includes('chat') ? 'on' : 'off';
    chat.toggle.hidden = !tabs.includes('chat'); // the groups button goes with the chat
    moreTop.replaceChildren(...(tabs.includes('chat') ? [moreGroups] : []), ...rest.map((key) => h('li', {}, h('button', {
      type: 'button', class: 'more-item', testid: `more-${key}`, text: t(sectionLabelKey(key, kindNow())),
      onclick: () => {
        chosen = true;
        show(key, true);
      },
    }))));
    moreTop.hidden = !moreTop.children.length;
    // Until the member picks a tab, the page stays on the first section; a tab switched off
    // under them gives way to the first one.
    const next = chosen && tabs.includes(active) ? active : tabs[0];
    if (next !== active) show(next);
    else apply();
  }

  function show(key, focusPanel = false) {
    active = key;
    apply();
    if (key === 'chat') chat.shown();
    if (key === 'materials') materials.shown();
    if (key === 'challenges') challenges.shown();
    if (key === 'events') events.shown();
    if (key === 'points') points.shown();
    if (key === 'contests') contests.shown();
    if (key === 'homework') homework.shown();
    if (key === 'course') course.shown();
    if (key === 'search') search.shown(focusPanel && !PHONE.matches);
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
    if (shown === 'highlights') highlightsDot().hidden = true;
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
    document.title = t('circle.pageTitle', { name: info.name });
    about.replaceChildren(...[
      info.kind && i18n.has(`kind.${info.kind}`) ? t(`kind.${info.kind}`) : null,
      info.visibility && i18n.has(`visibility.${info.visibility}`) ? t(`visibility.${info.visibility}`) : null,
      info.members == null ? null : h('span', { testid: 'member-count', text: t('circle.memberCount', { count: info.members }) }),
      // Followers (not members) of a public circle, counted apart: only when there are some.
      info.follower_count ? h('span', { testid: 'follower-count', text: t('follow.followers', { count: info.follower_count }) }) : null,
      info.description,
    ].filter(Boolean).flatMap((part, i) => (i ? [' · ', part] : [part])));
  }

  function showOnline() {
    const count = state.chatOf(circleId).online;
    online.textContent = count == null ? '' : t('circle.online', { count });
  }

  function showSettings() {
    panels.settings = settingsView(circleId);
    settingsSlot.replaceWith(panels.settings.el);
    if (active === 'settings') panels.settings.shown();
  }

  function openAim() {
    const aim = takeAim(circleId);
    if (aim) openResult(aim);
  }

  async function load() {
    try {
      if (!state.circles.has(circleId)) await loadCircles();
      if (closed) return;
      await openCircle(circleId, { onInfo: () => !closed && showSettings() });
      if (!closed) openAim(); // the posts are in: a notification's post can be found
    } catch (err) {
      if (closed) return;
      if (err.during === 'posts') {
        toast(t('circle.highlightsFailed', { reason: errorText(err) }));
        return;
      }
      const gone = err.code === 'forbidden' || err.code === 'not_found';
      toast(gone ? t('circle.notMember') : errorText(err));
      if (gone) location.hash = '#/';
    }
  }

  const offs = [
    state.on(EV.presence, (d) => d.circle === circleId && showOnline()),
    state.on(EV.joinRequestsChanged, (d) => d.circle === circleId && showRequests()),
    state.on(EV.circleInfo, (d) => {
      if (d.circle !== circleId) return;
      showInfo(d.info);
      layoutTabs();
    }),
    state.on(EV.highlight, (f) => {
      if (f.circle === circleId && shownTab() !== 'highlights') highlightsDot().hidden = false;
    }),
    // A notification opened: what it is about (notification-targets.js).
    state.on(EV.aimed, (d) => d.circle === circleId && openAim()),
    state.on(EV.left, (d) => {
      if (d.circle !== circleId) return;
      toast(d.reason === 'circle_deleted' ? t('circle.deleted') : t('circle.removed'));
      location.hash = '#/';
    }),
  ];
  let closed = false;
  WIDE.addEventListener('change', apply);
  layoutTabs();
  if (active === 'materials') materials.shown();
  if (active === 'challenges') challenges.shown();
  if (active === 'events') events.shown();
  if (active === 'points') points.shown();
  if (active === 'contests') contests.shown();
  if (active === 'homework') homework.shown();
  if (active === 'course') course.shown();
  if (state.infoOf(circleId)) showInfo(state.infoOf(circleId));
  showOnline();
  load();
  actions.joinChat(circleId); // offline: joined when the socket is back
  // Not on a phone: focus there would pop the keyboard up over a page just opened.
  if (active === 'chat' && !PHONE.matches) chat.focus();

  return () => {
    closed = true;
    closeCircle(circleId);
    actions.closeChat(circleId);
    WIDE.removeEventListener('change', apply);
    for (const off of offs) off();
    for (const panel of Object.values(panels)) if (panel) panel.destroy();
    stopViewport();
    document.body.classList.remove('in-circle');
    if (slot && slot.contains(header)) slot.replaceChildren();
    document.title = t('app.title');
  };
}
