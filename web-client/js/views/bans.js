// The circle's ban list for its owners and admins: searched by name, newest first, page by
// page; unban lets the person join again (nothing else comes back).

import * as actions from '../actions.js';
import * as api from '../api.js';
import { busy, h } from '../dom.js';
import { errorText, formatDateTime, personName, t } from '../i18n.js';
import * as state from '../store/state.js';
import { searchBox } from './search-box.js';
import { userText } from './user-text.js';
import { EV } from '../store/names.js';

export function bansView(circleId) {
  const list = h('ul', { class: 'members', testid: 'bans-list' });
  const more = h('button', {
    type: 'button', testid: 'bans-more', text: t('manage.moreBans'), hidden: true,
    onclick: () => busy(more, () => load({ more: true })),
  });
  let query = '';
  let next = null;
  let asked = 0; // answers to an older search are dropped
  const search = searchBox({ label: t('manage.searchBans'), testid: 'bans-search', onSearch: (q) => { query = q; load(); } });
  const el = h('section', { class: 'card', testid: 'bans-section' }, h('h3', { text: t('manage.bans') }), search, list, more);

  async function load({ more: again = false } = {}) {
    const ask = ++asked;
    try {
      const page = await api.bans(circleId, query || undefined, again ? next : undefined);
      if (ask !== asked) return;
      next = page.next || null;
      const items = (page.bans || []).map(banItem);
      if (again) list.append(...items);
      else list.replaceChildren(...(items.length ? items : [h('li', { class: 'muted', testid: 'bans-none', text: t('manage.noBans') })]));
      more.hidden = !next;
    } catch (err) {
      if (ask === asked) list.replaceChildren(h('li', { class: 'muted', text: errorText(err) }));
    }
  }

  function banItem(ban) {
    const unban = h('button', {
      type: 'button', class: 'small', testid: 'unban', text: t('manage.unban'),
      'aria-label': t('manage.unbanWho', { name: personName(ban.user.name) }),
      onclick: () => busy(unban, () => actions.unban(circleId, ban.user.id)),
    });
    return h('li', { testid: 'ban', dataset: { userId: ban.user.id } },
      h('div', { class: 'row wrap' },
        userText('span', personName(ban.user.name), { class: 'grow', testid: 'ban-name' }),
        h('span', { class: 'muted small', text: formatDateTime(ban.created) }),
        unban),
      ban.reason ? userText('p', ban.reason, { class: 'muted small', testid: 'ban-reason' }) : null);
  }

  const offs = [state.on(EV.bansChanged, (d) => d.circle === circleId && load())];
  load();
  return { el, destroy: () => offs.forEach((off) => off()) };
}
