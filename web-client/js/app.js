// Wiring: the session (token in localStorage), the live socket, and the hash routes
//   #/                     home: my circles, invites, create, discover
//   #/c/<circle>           a circle: chat, highlights, feed, settings
//   #/join/<circle>/<code> an invite link: asks before joining
//   #/join/<circle>        a request link (a private circle that takes join requests)
//   #/c/<circle>/moderation the reports of a circle (owners and admins)
//   #/c/<circle>/audit      the circle's audit log (owners)
//   #/reports              one's own reports
//   #/n/<id>               a notification (where a push or an email leads): opens what it is about

import * as api from './api.js';
import { h, toast } from './dom.js';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import { loadCircles } from './loaders.js';
import * as offline from './offline.js';
import { catalogues } from './locales/index.js';
import { Socket } from './socket.js';
import { EV } from './store/names.js';
import * as state from './store/state.js';
import { connectSocket } from './sync.js';
import { authView } from './views/auth.js';
import { mountBell } from './views/bell.js';
import { openNotification } from './views/notification-targets.js';
import { circleView } from './views/circle.js';
import { forgetDrafts, homeView } from './views/circles.js';
import { inviteView } from './views/invite.js';
import { mountLiveBanner } from './views/live-banner.js';
import { moderationView } from './views/moderation.js';
import { watchOutcomes } from './views/report.js';
import { auditView, myReportsView } from './views/report-pages.js';
import { watchReminders } from './views/reminders.js';
import { watchMentions } from './views/reach.js';
import { statusLine } from './views/status.js';

const main = document.getElementById('main');
mountLiveBanner(main); // the live lessons of my circles, on every page
const statusEl = document.getElementById('status');
const meBox = document.getElementById('me');
const meName = document.getElementById('me-name');
let socket = null;
let stopStatus = () => {};
let cleanup = () => {};
let shownRoute = null;
let stopKeeping = () => {};

function wsUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

function showMe() {
  const user = state.session.user;
  meBox.hidden = !user;
  meName.textContent = user ? user.name : '';
  state.emit(EV.notificationsChanged, {}); // the bell shows with a session
}

function startSession() {
  api.setToken(state.session.token);
  showMe();
  socket = new Socket({ url: wsUrl(), token: state.session.token, sinceOf: state.sinceOf });
  connectSocket(socket);
  stopStatus = statusLine(statusEl, socket);
  socket.addEventListener('unauthenticated', () => endSession(t('app.sessionEnded')));
  stopKeeping = offline.keep();
  offline.primeCircles();
  socket.addEventListener('state', (event) => {
    // Back from a start without the server: the snapshot makes way for the real thing.
    if (event.detail.state === 'online' && offline.dropRestored()) {
      loadCircles().catch(() => {});
      route({ force: true });
    }
  });
  socket.start();
  loadCircles().catch((err) => {
    if (err.code === 'offline' && offline.restore()) route({ force: true });
  });
  api.me().then((user) => {
    state.saveSession(state.session.token, user);
    showMe();
  }, () => {});
  route({ force: true });
}

function endSession(message) {
  if (socket) socket.stop();
  socket = null;
  stopStatus();
  statusEl.replaceChildren();
  statusEl.dataset.state = 'idle';
  stopKeeping();
  offline.forget(state.session.user && state.session.user.id);
  state.clearSession();
  forgetDrafts();
  api.setToken(null);
  showMe();
  if (message) toast(message, 'info');
  route({ force: true });
}

async function logout() {
  try {
    await api.logout();
  } catch {
    // the token goes from this browser either way
  }
  if (location.hash.startsWith('#/c/')) location.hash = '#/';
  endSession();
}

/** What the page shows: '' and '#/' are the same route (the home page). */
function routeKey() {
  if (!state.session.token) return 'auth';
  const hash = location.hash || '#/';
  return hash === '#' ? '#/' : hash;
}

/**
 * Show the view of the current route. A hash change that leaves the route as it was
 * ('' → '#/' after clicking the home link on a fresh page) keeps the view, and with it
 * whatever someone is typing; a new session always renders again (force).
 */
function route({ force = false } = {}) {
  const key = routeKey();
  if (!force && key === shownRoute) return;
  shownRoute = key;
  cleanup();
  cleanup = () => {};
  if (!state.session.token) {
    cleanup = authView(main, { onDone: startSession });
    return;
  }
  const hash = key;
  const circle = hash.match(/^#\/c\/([^/?]+)/);
  const page = hash.match(/^#\/c\/([^/?]+)\/(moderation|audit)$/);
  const invite = hash.match(/^#\/join\/([^/?]+)(?:\/([^/?]+))?/);
  const note = hash.match(/^#\/n\/(\d+)$/);
  if (note) {
    openNotification(Number(note[1]));
  } else if (page) {
    const view = page[2] === 'audit' ? auditView : moderationView;
    cleanup = view(main, decodeURIComponent(page[1]));
  } else if (hash === '#/reports') {
    cleanup = myReportsView(main);
  } else if (circle) {
    cleanup = circleView(main, decodeURIComponent(circle[1]));
  } else if (invite) {
    cleanup = inviteView(main, decodeURIComponent(invite[1]), invite[2] ? decodeURIComponent(invite[2]) : '');
  } else {
    document.title = t('app.title');
    cleanup = homeView(main);
  }
}

/** Languages: every catalogue the server lists, the saved or browser's choice, a switcher. */
function startLanguages() {
  for (const [tag, catalogue] of catalogues) i18n.register(tag, catalogue.name, catalogue.messages);
  i18n.setLocale(i18n.initialLocale(), { save: false });
  const select = document.getElementById('locale');
  select.replaceChildren(...i18n.available().map(({ tag, name }) => h('option', { value: tag, lang: tag, text: name })));
  select.value = i18n.locale();
  select.addEventListener('change', () => i18n.setLocale(select.value));
  const translate = () => {
    i18n.translateStatic(document);
    select.value = i18n.locale();
  };
  translate();
  // A new language re-renders the view shown (what is typed in it is kept as drafts are).
  i18n.onLocaleChange(() => {
    translate();
    route({ force: true });
  });
}

function boot() {
  startLanguages();
  document.getElementById('logout').addEventListener('click', logout);
  watchOutcomes(); // the outcome of one's reports, whatever page is shown
  watchReminders(); // a lesson starting, homework due: whatever page is shown
  watchMentions(); // the first live mention or reply offers notifications on this device, once
  mountBell(document.querySelector('.topbar'), meBox); // the inbox, on every page
  window.addEventListener('hashchange', () => route());
  api.events.addEventListener('unauthenticated', () => {
    if (state.session.token) endSession(t('app.sessionEnded'));
  });
  // The account is gone: its socket may have been closed first (4001), the toast says why.
  api.events.addEventListener('account-deleted', () => {
    location.hash = '#/';
    if (state.session.token) endSession(t('leaving.deleted'));
    else toast(t('leaving.deleted'), 'info');
  });
  if (state.loadSession()) startSession();
  else route({ force: true });
}

performance.mark('quanzi:boot'); // the script runs: loadtests/web_start.py reads these marks
boot();
performance.mark('quanzi:rendered');

// Installable and usable offline: the service worker keeps the app shell (sw.js).
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {});
  });
}
