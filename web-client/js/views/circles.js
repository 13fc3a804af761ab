// The home page, as chat apps have it: my circles, the most recently active first, each with
// its avatar, name, last message (author: text) and time, unread and must-read badges.
// "Create circle" and "Discover circles" are buttons that open their panel; joining with an
// invite and the sessions sit beside the list.
//
// The list is GET /me/circles (with each circle's last message): loaded when the page opens,
// every POLL_MS while it is shown and when the window gets the focus back, and moved on at
// once by every chat message the socket still delivers (circles opened earlier stay joined).

import * as api from '../api.js';
import { busy, field, h, toast } from '../dom.js';
import { formatDay, formatTime, personName, t } from '../i18n.js';
import * as state from '../store/state.js';
import { loadCircles } from '../loaders.js';
import { avatarEl } from './avatar.js';
import { discoverView, KINDS } from './discover.js';
import { followingView } from './following.js';
import { sessionsView } from './sessions.js';
import { reachView } from './reach.js';
import { botsView } from './bots.js';
import { leavingView } from './leaving.js';
import { EV } from '../store/names.js';
import { roleLabelKey } from '../store/sections.js';

const POLL_MS = 10000;
const DAY_MS = 86400000;
// What is being typed into the home page's forms: it outlives a re-render of the page.
const EMPTY_DRAFTS = { invite: '', name: '', kind: 'community', visibility: 'private', description: '' };
const drafts = { ...EMPTY_DRAFTS };
// The panel open under the buttons ('create', 'discover' or null): kept across re-renders.
let openPanel = null;

/** Empty the drafts (all of them: a new session starts with empty forms). */
export function forgetDrafts(keys = Object.keys(EMPTY_DRAFTS)) {
  for (const key of keys) drafts[key] = EMPTY_DRAFTS[key];
  if (keys.length === Object.keys(EMPTY_DRAFTS).length) openPanel = null;
}

/** The control shows its draft and writes every change back to it. */
function drafted(control, key) {
  control.value = drafts[key];
  const save = () => { drafts[key] = control.value; };
  control.addEventListener('input', save);
  control.addEventListener('change', save);
  return control;
}

/** When a circle was last active: its last message, else when I joined (ms). */
export function activityOf(circle) {
  return Math.max(circle.last_activity || 0, (circle.last_message && circle.last_message.ts) || 0);
}

/** The circles, the most recently active first (then by name). */
export function sortCircles(list) {
  return [...list].sort((a, b) => (activityOf(b) - activityOf(a))
    || String(a.name).localeCompare(String(b.name)));
}

/** The time shown next to a circle: 14:05 today, "Yesterday", else the day. */
export function listTime(ms, now = Date.now()) {
  if (!ms) return '';
  const day = (when) => new Date(when).toDateString();
  if (day(ms) === day(now)) return formatTime(ms);
  if (day(ms) === day(now - DAY_MS)) return t('home.yesterday');
  return formatDay(ms, now);
}

export function homeView(container) {
  const list = h('ul', { class: 'circle-list home-circles', testid: 'circle-list', 'aria-labelledby': 'my-circles-title' });
  const empty = h('p', { class: 'muted', testid: 'no-circles', text: t('home.empty') });

  function renderList() {
    const circles = sortCircles(state.circles.values());
    empty.hidden = circles.length > 0;
    list.replaceChildren(...circles.map(circleItem));
  }

  // The panels behind the buttons (Discover is built, and searches, when first opened).
  let discover = null;
  const panels = {
    create: h('div', { class: 'home-panel', id: 'home-panel-create', testid: 'panel-create', hidden: true }, createForm()),
    discover: h('div', { class: 'home-panel', id: 'home-panel-discover', testid: 'panel-discover', hidden: true }),
  };
  const buttons = {
    create: h('button', {
      type: 'button', class: 'primary', testid: 'home-create', text: t('home.create'),
      'aria-controls': 'home-panel-create', 'aria-expanded': 'false', onclick: () => toggle('create'),
    }),
    discover: h('button', {
      type: 'button', testid: 'home-discover', text: t('home.discover'),
      'aria-controls': 'home-panel-discover', 'aria-expanded': 'false', onclick: () => toggle('discover'),
    }),
  };

  function showPanels({ focus = false } = {}) {
    for (const [name, panel] of Object.entries(panels)) {
      const open = openPanel === name;
      if (open && name === 'discover' && !discover) {
        discover = discoverView({ onJoined: (id) => { location.hash = `#/c/${encodeURIComponent(id)}`; } });
        panel.append(discover.el);
      }
      panel.hidden = !open;
      buttons[name].setAttribute('aria-expanded', String(open));
      if (open && focus) {
        const first = panel.querySelector('input, select, textarea');
        if (first) first.focus();
      }
    }
  }

  function toggle(name) {
    openPanel = openPanel === name ? null : name;
    showPanels({ focus: true });
  }

  // The public circles I follow without joining, with their latest posts (live).
  const following = followingView({ onJoined: (id) => { location.hash = `#/c/${encodeURIComponent(id)}`; } });
  container.replaceChildren(h('div', { class: 'home' },
    h('section', { class: 'card home-main', 'aria-labelledby': 'my-circles-title' },
      h('div', { class: 'home-head' },
        h('h1', { id: 'my-circles-title', text: t('home.title') }),
        h('div', { class: 'home-actions', testid: 'home-actions' }, buttons.create, buttons.discover)),
      panels.create, panels.discover, empty, list, following.el),
    h('div', { class: 'home-side' }, inviteForm(), reachView(), sessionsView(), botsView(), leavingView())));
  showPanels();

  const offCircles = state.on(EV.circlesChanged, renderList);
  // A chat message of a circle's general group moves that circle up at once.
  const offMessage = state.on(EV.message, ({ circle, message }) => {
    const mine = state.circles.get(circle);
    if (!mine || !message || (message.group && message.group !== circle)) return;
    if (mine.last_message && mine.last_message.seq >= message.seq) return;
    const me = state.session.user && message.from && message.from.id === state.session.user.id;
    mine.last_message = {
      group: circle, seq: message.seq, ts: message.ts,
      author: message.from && message.from.id, author_name: message.from && message.from.name, text: message.text,
      attachment_kinds: (message.attachments || []).map((a) => a.kind),
    };
    mine.last_activity = Math.max(mine.last_activity || 0, message.ts || 0);
    if (!me) mine.unread = (mine.unread || 0) + 1;
    renderList();
  });
  renderList();
  const refresh = () => loadCircles().catch(() => {});
  refresh();
  const timer = setInterval(refresh, POLL_MS);
  window.addEventListener('focus', refresh);
  return () => {
    offCircles();
    offMessage();
    clearInterval(timer);
    window.removeEventListener('focus', refresh);
    if (discover) discover.destroy();
    following.destroy();
  };
}

function lastLine(circle) {
  const last = circle.last_message;
  if (!last) return t('home.noMessages');
  const me = state.session.user && last.author === state.session.user.id;
  const carried = (last.attachment_kinds || [])
    .map((kind) => t(`home.carries.${['image', 'video', 'audio'].includes(kind) ? kind : 'file'}`));
  let text = [...carried, String(last.text || '').replace(/\s+/g, ' ').trim()].filter(Boolean).join(' ');
  if (last.deleted) text = t(last.deleted === 'admin' ? 'chat.deletedByAdmin' : 'home.recalled');
  return t('home.lastMessage', { author: me ? t('home.you') : personName(last.author_name), text });
}

function circleItem(circle) {
  const badges = h('span', { class: 'badges' });
  if (circle.must_read_pending > 0) {
    badges.append(h('span', {
      class: 'badge must', testid: 'mustread-badge', title: t('home.mustReadTitle'),
      text: t('home.mustReadBadge', { count: circle.must_read_pending }),
    }));
  }
  if (circle.unread > 0) {
    badges.append(h('span', {
      class: 'badge', testid: 'unread-badge', title: t('home.unread', { count: circle.unread }),
      'aria-label': t('home.unread', { count: circle.unread }),
      text: circle.unread > 99 ? '99+' : String(circle.unread),
    }));
  }
  const when = circle.last_message ? circle.last_message.ts : null;
  // Only what tells circles apart: the kind (community is the usual one), public ones,
  // a role that gives more rights, and the member count.
  const meta = [];
  if (circle.kind && circle.kind !== 'community') meta.push(h('span', { class: 'tag', text: t(`kind.${circle.kind}`) }));
  if (circle.visibility === 'public') meta.push(h('span', { class: 'tag', text: t('visibility.public') }));
  if (circle.role && circle.role !== 'member') meta.push(h('span', { class: 'tag role', text: t(roleLabelKey(circle.role, circle.kind)) }));
  if (circle.members != null) {
    meta.push(h('span', { class: 'members', testid: 'circle-members', text: t('home.members', { count: circle.members }) }));
  }
  return h('li', { testid: 'circle-item', dataset: { circleId: circle.id } },
    h('a', { href: `#/c/${encodeURIComponent(circle.id)}`, class: 'circle-link home-circle' },
      avatarEl({ id: circle.id, name: circle.name }, { size: 'lg' }),
      h('span', { class: 'circle-main' },
        h('span', { class: 'circle-top' },
          h('span', { class: 'circle-name', testid: 'circle-name', text: circle.name }),
          h('span', { class: 'circle-meta' }, meta),
          when ? h('time', {
            class: 'circle-time', testid: 'circle-time', datetime: new Date(when).toISOString(), text: listTime(when),
          }) : null),
        h('span', { class: 'circle-bottom' },
          h('span', { class: 'circle-last', testid: 'circle-last', text: lastLine(circle) }),
          badges))));
}

/** An invite is a link (…#/join/<circle>/<code>) or "<circle> <code>". */
export function parseInvite(text) {
  const value = text.trim();
  const link = value.match(/#\/join\/([^/\s]+)\/([^/\s]+)/);
  if (link) return { circle: decodeURIComponent(link[1]), code: decodeURIComponent(link[2]) };
  const parts = value.split(/[\s/]+/).filter(Boolean);
  if (parts.length === 2) return { circle: parts[0], code: parts[1] };
  if (parts.length === 1) return { circle: parts[0], code: null };
  return null;
}

function inviteForm() {
  const input = drafted(h('input', {
    testid: 'invite-input', placeholder: t('home.invitePlaceholder'), autocomplete: 'off',
  }), 'invite');
  const submit = h('button', { type: 'submit', testid: 'invite-submit', text: t('home.inviteSubmit') });
  return h('form', {
    class: 'card home-invite', testid: 'invite-form',
    onsubmit: (event) => {
      event.preventDefault();
      const invite = parseInvite(input.value);
      if (!invite) {
        toast(t('home.invitePaste'));
        return;
      }
      busy(submit, async () => {
        await api.join(invite.circle, invite.code);
        drafts.invite = '';
        await loadCircles();
        location.hash = `#/c/${encodeURIComponent(invite.circle)}`;
      });
    },
  },
  h('h2', { text: t('home.inviteTitle') }),
  h('div', { class: 'row' }, field(t('home.inviteLabel'), input), submit));
}

function createForm() {
  const name = drafted(h('input', { testid: 'create-name', required: true, maxlength: '80' }), 'name');
  const kind = drafted(h('select', { testid: 'create-kind' },
    KINDS.map((value) => h('option', { value, text: t(`home.kindHint.${value}`) }))), 'kind');
  const visibility = drafted(h('select', { testid: 'create-visibility' },
    h('option', { value: 'private', text: t('home.createPrivate') }),
    h('option', { value: 'public', text: t('home.createPublic') })), 'visibility');
  const description = drafted(h('textarea', { testid: 'create-description', rows: '2', maxlength: '2000' }), 'description');
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'create-submit', text: t('home.createSubmit') });
  return h('form', {
    class: 'home-create', testid: 'create-form',
    onsubmit: (event) => {
      event.preventDefault();
      busy(submit, async () => {
        const circle = await api.createCircle({
          name: name.value.trim(),
          kind: kind.value,
          visibility: visibility.value,
          description: description.value.trim(),
        });
        forgetDrafts(['name', 'kind', 'visibility', 'description']);
        openPanel = null;
        await loadCircles();
        location.hash = `#/c/${encodeURIComponent(circle.id)}`;
      });
    },
  },
  h('h2', { text: t('home.createTitle') }),
  field(t('home.createName'), name),
  h('div', { class: 'row wrap' }, field(t('home.createKind'), kind), field(t('home.createVisibility'), visibility)),
  field(t('home.createDescription'), description),
  submit);
}
