// The home page: my circles (unread and must-read badges), join with an invite, create a
// circle, and the directory of public circles (discover.js).

import * as api from '../api.js';
import { busy, field, h, toast } from '../dom.js';
import * as state from '../store/state.js';
import { loadCircles } from '../loaders.js';
import { discoverView, KINDS } from './discover.js';
import { sessionsView } from './sessions.js';

const POLL_MS = 10000;
// What is being typed into the home page's forms: it outlives a re-render of the page.
const EMPTY_DRAFTS = { invite: '', name: '', kind: 'community', visibility: 'private', description: '' };
const drafts = { ...EMPTY_DRAFTS };

/** Empty the drafts (all of them: a new session starts with empty forms). */
export function forgetDrafts(keys = Object.keys(EMPTY_DRAFTS)) {
  for (const key of keys) drafts[key] = EMPTY_DRAFTS[key];
}

/** The control shows its draft and writes every change back to it. */
function drafted(control, key) {
  control.value = drafts[key];
  const save = () => { drafts[key] = control.value; };
  control.addEventListener('input', save);
  control.addEventListener('change', save);
  return control;
}

export function homeView(container) {
  const list = h('ul', { class: 'circle-list', testid: 'circle-list' });
  const empty = h('p', { class: 'muted', testid: 'no-circles', text: 'You are in no circle yet: create one, join with an invite, or discover public circles below.' });

  function renderList() {
    const circles = [...state.circles.values()];
    empty.hidden = circles.length > 0;
    list.replaceChildren(...circles.map(circleItem));
  }

  const discover = discoverView({ onJoined: (id) => { location.hash = `#/c/${id}`; } });
  container.replaceChildren(h('div', { class: 'home' },
    h('section', { class: 'card', 'aria-labelledby': 'my-circles-title' },
      h('h1', { id: 'my-circles-title', text: 'Your circles' }), empty, list),
    h('div', { class: 'home-side' }, inviteForm(), createForm(), sessionsView()),
    discover.el));

  const off = state.on('circles', renderList);
  renderList();
  const refresh = () => loadCircles().catch(() => {});
  refresh();
  const timer = setInterval(refresh, POLL_MS);
  return () => {
    off();
    clearInterval(timer);
    discover.destroy();
  };
}

function circleItem(circle) {
  const badges = h('span', { class: 'badges' });
  if (circle.must_read_pending > 0) {
    badges.append(h('span', {
      class: 'badge must', testid: 'mustread-badge', title: 'Must-reads to acknowledge',
      text: `${circle.must_read_pending} must-read`,
    }));
  }
  if (circle.unread > 0) {
    badges.append(h('span', {
      class: 'badge', testid: 'unread-badge', title: 'Unread messages',
      text: circle.unread > 99 ? '99+' : String(circle.unread),
    }));
  }
  return h('li', { testid: 'circle-item', dataset: { circleId: circle.id } },
    h('a', { href: `#/c/${encodeURIComponent(circle.id)}`, class: 'circle-link' },
      h('span', { class: 'circle-name', testid: 'circle-name', text: circle.name }),
      h('span', { class: 'muted small' }, `${circle.kind} · ${circle.visibility} · ${circle.role}`,
        circle.members == null ? null : ' · ',
        circle.members == null ? null : h('span', { testid: 'circle-members', text: `${circle.members} member${circle.members === 1 ? '' : 's'}` })),
      badges));
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
  const input = drafted(h('input', { testid: 'invite-input', placeholder: 'Paste an invite link', autocomplete: 'off' }), 'invite');
  const submit = h('button', { type: 'submit', testid: 'invite-submit', text: 'Join' });
  return h('form', {
    class: 'card', testid: 'invite-form',
    onsubmit: (event) => {
      event.preventDefault();
      const invite = parseInvite(input.value);
      if (!invite) {
        toast('Paste the invite link you were given.');
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
  h('h2', { text: 'Join with an invite' }),
  field('Invite link (or circle id and access code)', input),
  submit);
}

function createForm() {
  const name = drafted(h('input', { testid: 'create-name', required: true, maxlength: '80' }), 'name');
  const kind = drafted(h('select', { testid: 'create-kind' },
    KINDS.map(([value, label]) => h('option', { value, text: label }))), 'kind');
  const visibility = drafted(h('select', { testid: 'create-visibility' },
    h('option', { value: 'private', text: 'Private — by access code' }),
    h('option', { value: 'public', text: 'Public — listed, anyone can join' })), 'visibility');
  const description = drafted(h('textarea', { testid: 'create-description', rows: '2', maxlength: '2000' }), 'description');
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'create-submit', text: 'Create circle' });
  return h('form', {
    class: 'card', testid: 'create-form',
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
        await loadCircles();
        location.hash = `#/c/${encodeURIComponent(circle.id)}`;
      });
    },
  },
  h('h2', { text: 'Create a circle' }),
  field('Name', name),
  field('Kind', kind),
  field('Who can join', visibility),
  field('Description (optional)', description),
  submit);
}
