// Leaving for good: download one's own data (a ZIP of JSON files), and delete the account
// after typing the password. The server ends every session at once; the app goes back to
// the signed-out page (app.js, on the 'account-deleted' event of the API module).

import * as api from '../api.js';
import { busy, field, h, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';

export function leavingView() {
  const download = h('button', {
    type: 'button', testid: 'export-data', text: t('leaving.export'),
    onclick: () => busy(download, async () => {
      const blob = await api.exportMyData();
      const link = h('a', { href: URL.createObjectURL(blob), download: 'quanzi-data.zip' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      toast(t('leaving.exported'), 'info');
    }),
  });
  const start = h('button', { type: 'button', class: 'danger', testid: 'delete-account', text: t('leaving.delete') });
  const confirm = confirmForm(() => {
    confirm.hidden = true;
    start.hidden = false;
  });
  confirm.hidden = true;
  start.addEventListener('click', () => {
    start.hidden = true;
    confirm.hidden = false;
    confirm.querySelector('input').focus();
  });
  return h('section', { class: 'card leaving', testid: 'leaving', 'aria-labelledby': 'leaving-title' },
    h('h2', { id: 'leaving-title', text: t('leaving.title') }),
    h('p', { class: 'muted small', text: t('leaving.exportAbout') }),
    download,
    h('p', { class: 'muted small', text: t('leaving.deleteAbout') }),
    start, confirm);
}

function confirmForm(cancelled) {
  const password = h('input', { type: 'password', testid: 'delete-password', required: true, autocomplete: 'current-password', maxlength: '1024' });
  const go = h('button', { type: 'submit', class: 'danger', testid: 'delete-account-confirm', text: t('leaving.deleteConfirm') });
  const cancel = h('button', { type: 'button', testid: 'delete-account-cancel', text: t('common.cancel') });
  cancel.addEventListener('click', () => {
    password.value = '';
    cancelled();
  });
  return h('form', {
    testid: 'delete-account-form', novalidate: true,
    onsubmit: (event) => {
      event.preventDefault();
      if (!password.value) {
        toast(errorText({ reason: 'password_wrong' }));
        return;
      }
      busy(go, () => api.deleteAccount(password.value));
    },
  },
  h('p', { class: 'warning', role: 'alert', text: t('leaving.deleteWarning') }),
  field(t('leaving.password'), password),
  h('div', { class: 'row wrap' }, go, cancel));
}
