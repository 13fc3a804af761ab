// The join requests waiting in a private circle that takes them (its owners and admins,
// in Settings): newest first, each with the name and the answer, approve or reject (with
// an optional reason). The count is live (join.* events); the list reloads when it moves.

import * as api from '../api.js';
import { busy, fill, h, timeEl } from '../dom.js';
import { t } from '../i18n.js';
import { loadJoinRequests } from '../loaders.js';
import { pendingOf } from '../store/join-requests.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { searchBox } from './search-box.js';
import { userText } from './user-text.js';

export function joinRequestsView(circleId) {
  const list = h('ul', { class: 'join-requests', testid: 'join-requests', 'aria-label': t('joining.requests') });
  const count = h('span', { class: 'badge', testid: 'join-requests-count' });
  const more = h('button', { type: 'button', testid: 'join-requests-more', hidden: true, text: t('joining.more') });
  let query = '';
  let asked = 0; // answers to an older search are dropped
  const search = searchBox({ label: t('joining.search'), testid: 'join-requests-search', onSearch: (q) => { query = q; load().catch(() => {}); } });
  const el = h('section', { class: 'card', testid: 'join-requests-card' },
    h('h3', {}, t('joining.requests'), ' ', count), search, list, more);
  let next = null;
  let shownCount = -1;

  async function load(cursor) {
    const ask = ++asked;
    const reply = await loadJoinRequests(circleId, cursor, query);
    if (ask !== asked) return;
    const items = reply.requests.map(item);
    if (cursor) list.append(...items);
    else fill(list, items.length ? items : h('li', { class: 'muted small', testid: 'join-requests-none', text: t('joining.none') }));
    next = reply.next;
    more.hidden = !next;
  }
  more.addEventListener('click', () => busy(more, () => load(next)));

  function item(request) {
    const reason = h('input', { testid: 'reject-reason', maxlength: '500', placeholder: t('joining.reasonHint'), 'aria-label': t('joining.reason') });
    const approve = h('button', {
      type: 'button', class: 'primary', testid: 'request-approve', text: t('joining.approve'),
      onclick: () => busy(approve, async () => {
        await api.approveRequest(circleId, request.user);
        li.remove();
      }),
    });
    const reject = h('button', {
      type: 'button', testid: 'request-reject', text: t('joining.reject'),
      onclick: () => busy(reject, async () => {
        await api.rejectRequest(circleId, request.user, reason.value.trim());
        li.remove();
      }),
    });
    const li = h('li', { testid: 'join-request', dataset: { user: request.user } },
      h('div', { class: 'row wrap' }, userText('strong', request.name, { testid: 'request-name' }), timeEl(request.created)),
      request.answer ? userText('p', request.answer, { class: 'answer', testid: 'request-answer' }) : null,
      h('div', { class: 'row wrap' }, approve, reason, reject));
    return li;
  }

  function showCount() {
    const n = pendingOf(circleId);
    count.textContent = n ? String(n) : '';
    count.hidden = !n;
    if (n !== shownCount && shownCount !== -1) load().catch(() => {});
    shownCount = n;
  }

  const off = state.on(EV.joinRequestsChanged, (d) => d.circle === circleId && showCount());
  load().then(showCount, () => {});
  return { el, destroy: off };
}
