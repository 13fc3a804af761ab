// The caller's sessions (one per login): when each was last used, end one, log out
// everywhere, change the password (which ends every other session). Ending this
// browser's own session closes its socket with 4001, and the app logs out from there.

import * as api from '../api.js';
import { busy, field, h, time, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';

const PASSWORD_MIN = 8;

export function sessionsView() {
  const list = h('ul', { class: 'session-list', testid: 'session-list' });
  const everywhere = h('button', { type: 'button', testid: 'logout-everywhere', text: t('home.logoutEverywhere') });
  everywhere.addEventListener('click', () => busy(everywhere, () => api.logoutEverywhere()));
  const el = h('section', { class: 'card sessions', testid: 'sessions', 'aria-labelledby': 'sessions-title' },
    h('h2', { id: 'sessions-title', text: t('home.sessionsTitle') }), list, everywhere, passwordForm(refresh));

  async function refresh() {
    try {
      const { sessions } = await api.sessions();
      list.replaceChildren(...sessions.map((s) => sessionItem(s, refresh)));
    } catch (err) {
      toast(errorText(err));
    }
  }

  refresh();
  return el;
}

function sessionItem(session, refresh) {
  const label = session.current ? t('home.sessionThis') : t('home.sessionSince', { time: time(session.created) });
  const end = session.current ? null : h('button', {
    type: 'button', testid: 'end-session', text: t('home.sessionEnd'),
    'aria-label': t('home.sessionEndLabel', { time: time(session.created) }),
  });
  if (end) {
    end.addEventListener('click', () => busy(end, async () => {
      await api.endSession(session.id);
      await refresh();
    }));
  }
  return h('li', { testid: session.current ? 'session-current' : 'session' },
    h('span', { text: label }),
    h('small', { class: 'muted', text: ` · ${t('home.sessionUsed', { time: time(session.last_used) })} ` }),
    end);
}

function passwordForm(refresh) {
  const old = h('input', { type: 'password', testid: 'old-password', required: true, autocomplete: 'current-password' });
  const fresh = h('input', { type: 'password', testid: 'new-password', required: true, minlength: String(PASSWORD_MIN), maxlength: '1024', autocomplete: 'new-password' });
  const save = h('button', { type: 'submit', testid: 'change-password', text: t('home.passwordSubmit') });
  return h('form', {
    testid: 'password-form', novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      if (fresh.value.length < PASSWORD_MIN) {
        toast(errorText({ reason: 'password_too_short', params: { min: PASSWORD_MIN } }));
        return;
      }
      busy(save, async () => {
        await api.changePassword(old.value, fresh.value);
        old.value = '';
        fresh.value = '';
        toast(t('home.passwordChanged'), 'info');
        await refresh();
      });
    },
  },
  h('h3', { text: t('home.passwordTitle') }),
  field(t('home.passwordOld'), old),
  field(t('home.passwordNew'), fresh, t('home.passwordNewHint', { min: PASSWORD_MIN })),
  save);
}
