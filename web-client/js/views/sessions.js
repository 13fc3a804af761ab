// The caller's sessions (one per login): when each was last used, end one, log out
// everywhere, change the password (which ends every other session). Ending this
// browser's own session closes its socket with 4001, and the app logs out from there.

import * as api from '../api.js';
import { busy, field, h, time, toast } from '../dom.js';

export function sessionsView() {
  const list = h('ul', { class: 'session-list', testid: 'session-list' });
  const everywhere = h('button', { type: 'button', testid: 'logout-everywhere', text: 'Log out everywhere' });
  everywhere.addEventListener('click', () => busy(everywhere, () => api.logoutEverywhere()));
  const el = h('section', { class: 'card sessions', testid: 'sessions', 'aria-labelledby': 'sessions-title' },
    h('h2', { id: 'sessions-title', text: 'Your sessions' }), list, everywhere, passwordForm(refresh));

  async function refresh() {
    try {
      const { sessions } = await api.sessions();
      list.replaceChildren(...sessions.map((s) => sessionItem(s, refresh)));
    } catch (err) {
      toast(err.message);
    }
  }

  refresh();
  return el;
}

function sessionItem(session, refresh) {
  const label = session.current ? 'This browser' : `Signed in ${time(session.created)}`;
  const end = session.current ? null : h('button', { type: 'button', testid: 'end-session', text: 'End' });
  if (end) {
    end.addEventListener('click', () => busy(end, async () => {
      await api.endSession(session.id);
      await refresh();
    }));
  }
  return h('li', { testid: session.current ? 'session-current' : 'session' },
    h('span', { text: label }),
    h('small', { class: 'muted', text: ` · last used ${time(session.last_used)} ` }),
    end);
}

function passwordForm(refresh) {
  const old = h('input', { type: 'password', testid: 'old-password', required: true, autocomplete: 'current-password' });
  const fresh = h('input', { type: 'password', testid: 'new-password', required: true, minlength: '8', maxlength: '1024', autocomplete: 'new-password' });
  const save = h('button', { type: 'submit', testid: 'change-password', text: 'Change password' });
  return h('form', {
    testid: 'password-form',
    onsubmit: (event) => {
      event.preventDefault();
      busy(save, async () => {
        await api.changePassword(old.value, fresh.value);
        old.value = '';
        fresh.value = '';
        toast('Password changed; your other sessions have ended.', 'info');
        await refresh();
      });
    },
  },
  h('h3', { text: 'Change password' }),
  field('Current password', old),
  field('New password', fresh, 'At least 8 characters. Every other session ends.'),
  save);
}
