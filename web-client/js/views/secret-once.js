// A secret the server shows once (a webhook's secret, an incoming hook's URL, a bot's
// token): read-only, selected on focus, with a copy button and the warning.

import { copyText, h } from '../dom.js';
import { t } from '../i18n.js';

export function secretOnce(value, label, testid) {
  return h('div', { class: 'secret-once', testid, role: 'status' },
    h('p', { class: 'small', text: t('hooks.shownOnce') }),
    h('div', { class: 'row wrap' },
      h('input', { class: 'grow', readonly: true, value, 'aria-label': label, testid: `${testid}-value`, onfocus: (e) => e.target.select() }),
      h('button', { type: 'button', text: t('hooks.copy'), onclick: () => copyText(value) })));
}
