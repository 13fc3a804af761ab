// The pages of reports and the audit log: a circle's moderation queue (moderation.js), its
// audit log (#/c/<circle>/audit, owners) and one's own reports (#/reports). This module
// holds the two small ones and the head they share (back to the circle, a title, a badge).

import * as api from '../api.js';
import { busy, h, saveBlob, timeEl, toast } from '../dom.js';
import { errorText, has, personName, t } from '../i18n.js';
import * as state from '../store/state.js';
import { searchBox } from './search-box.js';
import { userText } from './user-text.js';

/** Back to the circle (or home), the page's title and an optional badge. */
export function pageHead(circleId, title, badge = null) {
  const back = circleId ? `#/c/${encodeURIComponent(circleId)}` : '#/';
  const name = circleId && state.circles.get(circleId) ? state.circles.get(circleId).name : null;
  return h('div', { class: 'report-head' },
    h('a', { href: back, class: 'back', testid: 'back-link', 'aria-label': t('circle.back'), title: t('circle.back') },
      h('span', { 'aria-hidden': 'true', text: '←' })),
    h('h1', { text: title }),
    name ? userText('span', name, { class: 'muted' }) : null,
    badge);
}

/** A list filled a page at a time from `fetchPage(cursor)` → {items, next}; `restart()`
 *  empties it and loads the first page again (a new search). */
function pagedList(testid, fetchPage, render, empty) {
  const list = h('ul', { class: 'report-list', testid });
  let next = null;
  let asked = 0; // answers to an older search are dropped
  const more = h('button', { type: 'button', testid: `${testid}-more`, text: t('common.more'), hidden: true, onclick: () => busy(more, load) });
  async function load() {
    const ask = asked;
    const page = await fetchPage(next);
    if (ask !== asked) return;
    list.querySelector('.muted.loading-row')?.remove();
    list.append(...page.items.map(render));
    if (!list.children.length) list.append(h('li', { class: 'muted', testid: `${testid}-empty`, text: empty }));
    next = page.next;
    more.hidden = !next;
  }
  function restart() {
    asked += 1;
    next = null;
    more.hidden = true;
    list.replaceChildren(h('li', { class: 'muted loading-row', text: t('common.loading') }));
    const ask = asked;
    load().catch((err) => { if (ask === asked) list.replaceChildren(h('li', { class: 'error', text: errorText(err) })); });
  }
  restart();
  return [list, more, restart];
}

/** The circle's audit log, newest first, and its CSV export (owners). */
export function auditView(container, circleId) {
  const download = h('button', {
    type: 'button', testid: 'audit-export', text: t('audit.export'),
    onclick: () => busy(download, async () => {
      saveBlob(await api.auditCsv(circleId), `audit-${circleId}.csv`);
      toast(t('audit.exported'), 'info');
    }),
  });
  let query = '';
  const [list, more, restart] = pagedList('audit-list', async (cursor) => {
    const page = await api.auditLog(circleId, cursor, query || undefined);
    return { items: page.entries, next: page.next };
  }, auditItem, t('audit.empty'));
  const search = searchBox({ label: t('audit.search'), testid: 'audit-search', onSearch: (q) => { query = q; restart(); } });
  container.replaceChildren(h('section', { class: 'report-page', testid: 'audit-page' },
    pageHead(circleId, t('audit.title')),
    h('p', { class: 'row wrap' }, h('span', { class: 'muted small grow', text: t('audit.about') }), download),
    search, list, more));
  document.title = t('audit.title');
  return () => {};
}

function auditItem(entry) {
  const action = `audit.${entry.action}`;
  return h('li', { class: 'card audit-entry', testid: 'audit-entry', dataset: { action: entry.action } },
    h('div', { class: 'meta' },
      // The payment webhook and housekeeping act with no name of their own; "" is a deleted account.
      userText('strong', entry.actor.name == null && has(`audit.actor.${entry.actor.id}`) ? t(`audit.actor.${entry.actor.id}`) : personName(entry.actor.name)),
      h('span', { testid: 'audit-action', text: has(action) ? t(action) : entry.action }),
      timeEl(entry.created)),
    h('p', { class: 'muted small', testid: 'audit-target' },
      entry.target.name ? userText('span', entry.target.name) : `${entry.target.kind} ${entry.target.id || ''}`,
      entry.data && entry.data.outcome ? ` · ${t(`report.outcome.${entry.data.outcome}`)}` : '',
      entry.data && entry.data.to ? ` · ${t(`role.${entry.data.from}`)} → ${t(`role.${entry.data.to}`)}` : ''),
    entry.reason ? userText('p', entry.reason, { class: 'report-words' }) : null);
}

/** One's own reports in every circle, with their status and outcome. */
export function myReportsView(container) {
  const [list, more] = pagedList('my-reports', async (cursor) => {
    const page = await api.myReports(cursor);
    return { items: page.reports, next: page.next };
  }, myItem, t('myReports.empty'));
  container.replaceChildren(h('section', { class: 'report-page', testid: 'my-reports-page' },
    pageHead(null, t('myReports.title')),
    list, more));
  document.title = t('myReports.title');
  return () => {};
}

function myItem(report) {
  const resolved = report.status === 'resolved';
  return h('li', { class: 'card report', testid: 'my-report', dataset: { reportId: report.id, status: report.status } },
    h('div', { class: 'meta' },
      userText('strong', report.circle_name),
      h('span', { class: 'tag', text: t(`report.kind.${report.target.kind}`) }),
      h('span', { text: t(`report.reason.${report.reason}`) }),
      timeEl(report.created)),
    report.text ? userText('p', report.text, { class: 'report-words' }) : null,
    h('p', { class: resolved ? 'report-outcome' : 'muted', testid: 'my-report-status' },
      resolved ? t('myReports.resolved', { outcome: t(`report.outcome.${report.outcome}`) }) : t('myReports.open'),
      report.note ? userText('span', ` — ${report.note}`) : null));
}
