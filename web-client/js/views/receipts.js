// A must-read's receipts panel (owners and admins): who has read it and who has not yet,
// from the store — loaded when the panel opens, then moved along by post.acked events.

import { busy, h, timeEl } from '../dom.js';
import { loadReceipts } from '../loaders.js';
import * as receipts from '../store/receipts.js';

export function receiptsEl(postId) {
  const entry = receipts.receiptsOf(postId);
  if (!entry) return h('div', { class: 'receipts', testid: 'receipts', text: 'Loading…' });
  const summary = receipts.summaryOf(postId);
  const plus = summary.partial ? '+' : '';
  const more = entry.next ? h('button', {
    type: 'button', class: 'link', testid: 'receipts-more', text: 'More',
    onclick: () => busy(more, () => loadReceipts(postId, { more: true })),
  }) : null;
  return h('div', { class: 'receipts', testid: 'receipts' },
    h('p', { testid: 'receipts-summary', text: `Read by ${summary.acked}${plus} · waiting for ${summary.pending}${plus}` }),
    h('div', { class: 'cols' },
      h('div', {},
        h('h4', { text: 'Not yet' }),
        h('ul', { testid: 'receipts-pending' },
          [...entry.pending.values()].map((u) => h('li', { text: u.name, dataset: { userId: u.id } })))),
      h('div', {},
        h('h4', { text: 'Read it' }),
        h('ul', { testid: 'receipts-acked' },
          [...entry.acked.values()].map((u) => h('li', { dataset: { userId: u.id } }, u.name, ' ', timeEl(u.at)))))),
    more);
}
