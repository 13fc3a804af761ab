// A public circle's followers, for its owners and admins: searched by name (any script),
// newest first, page by page (GET /circles/{id}/followers; never more than a page, at
// 170,000 followers). Followers are not members: they read the posts, not the chat.

import * as api from '../api.js';
import { busy, h } from '../dom.js';
import { errorText, formatDateTime, t } from '../i18n.js';
import { searchBox } from './search-box.js';
import { userText } from './user-text.js';

export function followersView(circleId, count = 0) {
  const list = h('ul', { class: 'members', testid: 'followers-list' });
  const more = h('button', {
    type: 'button', testid: 'followers-more', text: t('manage.moreBans'), hidden: true,
    onclick: () => busy(more, () => load({ more: true })),
  });
  let query = '';
  let next = null;
  let asked = 0; // answers to an older search are dropped
  const search = searchBox({ label: t('follow.searchFollowers'), testid: 'followers-search', onSearch: (q) => { query = q; load(); } });
  const el = h('section', { class: 'card', testid: 'followers-section' },
    h('h3', { text: t('follow.followersTitle', { count }) }), search, list, more);

  async function load({ more: again = false } = {}) {
    const ask = ++asked;
    try {
      const page = await api.followers(circleId, query || undefined, again ? next : undefined);
      if (ask !== asked) return;
      next = page.next || null;
      const items = (page.followers || []).map((f) => h('li', { testid: 'follower', dataset: { userId: f.user } },
        h('div', { class: 'row wrap' },
          userText('span', f.name, { class: 'grow', testid: 'follower-name' }),
          h('span', { class: 'muted small', text: formatDateTime(f.since) }))));
      if (again) list.append(...items);
      else list.replaceChildren(...(items.length ? items : [h('li', { class: 'muted', testid: 'followers-none', text: t('follow.noFollowers') })]));
      more.hidden = !next;
    } catch (err) {
      if (ask === asked) list.replaceChildren(h('li', { class: 'muted', text: errorText(err) }));
    }
  }

  load();
  return { el, shown: () => load(), destroy: () => { asked += 1; } };
}
