// A must-read's receipts panel (owners and admins): who has read it and who has not yet,
// from the store — loaded when the panel opens, then moved along by post.acked events.

import { busy, h, timeEl } from '../dom.js';
import { t } from '../i18n.js';
import { loadReceipts } from '../loaders.js';
import * as receipts from '../store/receipts.js';
import { userText } from './user-text.js';

export function receiptsEl(postId) {
  const label = t('posts.receipts');
  const entry = receipts.receiptsOf(postId);
  if (!entry) return h('div', { class: 'receipts', testid: 'receipts', role: 'region', 'aria-label': label, text: t('common.loading') });
  const summary = receipts.summaryOf(postId);
  const plus = summary.partial ? '+' : '';
  const more = entry.next ? h('button', {
    type: 'button', class: 'link', testid: 'receipts-more', text: t('posts.moreReceipts'),
    onclick: () => busy(more, () => loadReceipts(postId, { more: true })),
  }) : null;
  const read = t('posts.readBy', { count: summary.acked, plus });
  const waiting = t('posts.waitingFor', { count: summary.pending, plus });
  return h('div', { class: 'receipts', testid: 'receipts', role: 'region', 'aria-label': label },
    h('p', { testid: 'receipts-summary', role: 'status', text: `${read} · ${waiting}` }),
    h('div', { class: 'cols' },
      h('div', {},
        h('h4', { text: t('posts.notYet') }),
        h('ul', { testid: 'receipts-pending' },
          [...entry.pending.values()].map((u) => userText('li', u.name, { dataset: { userId: u.id } })))),
      h('div', {},
        h('h4', { text: t('posts.readIt') }),
        h('ul', { testid: 'receipts-acked' },
          [...entry.acked.values()].map((u) => h('li', { dataset: { userId: u.id } }, userText('span', u.name), ' ', timeEl(u.at)))))),
    more);
}
