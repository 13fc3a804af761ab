// The moderation queue of a circle (#/c/<circle>/moderation), for owners and admins: open
// reports newest first (resolved ones on their own tab), each with what its target says
// now, who wrote it, who reported it and why, and how many open reports the target has.
// Resolving one resolves every open report of its target: dismiss, delete a post or a
// comment, mute the author for a day, ban or remove them (each its own route, then the
// outcome), or record an act done elsewhere ("Resolve as…"). The open count stays live (report.filed / report.resolved).

import * as api from '../api.js';
import { busy, h, timeEl } from '../dom.js';
import { errorText, personName, t } from '../i18n.js';
import { EV } from '../store/names.js';
import * as reports from '../store/reports.js';
import * as state from '../store/state.js';
import { pageHead } from './report-pages.js';
import { searchBox } from './search-box.js';
import { userText } from './user-text.js';

const OUTCOMES = ['dismissed', 'deleted', 'muted', 'banned', 'removed'];
const PAGE = 20;
const MUTE_MINUTES = 24 * 60; // "Mute" here is for a day; the member list sets other lengths

export function moderationView(container, circleId) {
  let status = 'open';
  let next = null;
  let closed = false;
  let query = '';
  let asked = 0; // answers to an older search or tab are dropped
  const search = searchBox({ label: t('moderation.search'), testid: 'reports-search', onSearch: (q) => { query = q; load(true); } });
  const count = h('span', { class: 'badge', testid: 'moderation-open', 'aria-live': 'polite' });
  const list = h('ul', { class: 'report-list', testid: 'report-list' });
  const more = h('button', { type: 'button', testid: 'reports-more', text: t('common.more'), hidden: true, onclick: () => load(false) });
  const tabs = ['open', 'resolved'].map((key) => h('button', {
    type: 'button', role: 'tab', class: 'tab', testid: `reports-tab-${key}`,
    onclick: () => {
      status = key;
      load(true);
    },
  }, t(`moderation.tab.${key}`)));
  container.replaceChildren(h('section', { class: 'report-page', testid: 'moderation-page' },
    pageHead(circleId, t('moderation.title'), count),
    h('div', { class: 'tabs report-tabs', role: 'tablist', 'aria-label': t('moderation.title') }, tabs),
    search, list, more));
  document.title = t('moderation.title');

  function showCount() {
    const open = reports.openOf(circleId);
    count.textContent = open == null ? '' : t('moderation.openCount', { count: open });
    count.hidden = open == null;
  }

  async function load(first) {
    for (const tab of tabs) tab.setAttribute('aria-selected', String(tab.dataset.testid === `reports-tab-${status}`));
    if (first) {
      next = null;
      list.replaceChildren(h('li', { class: 'muted', text: t('common.loading') }));
    }
    const ask = ++asked;
    try {
      const page = await api.reportQueue(circleId, status, first ? undefined : next, PAGE, query || undefined);
      if (closed || ask !== asked) return;
      if (first) list.replaceChildren();
      list.append(...page.reports.map(item));
      if (first && !page.reports.length) list.append(h('li', { class: 'muted', testid: 'reports-empty', text: t(`moderation.empty.${status}`) }));
      next = page.next;
      more.hidden = !next;
      reports.setOpen(circleId, page.open);
      showCount();
    } catch (err) {
      if (!closed && ask === asked) list.replaceChildren(h('li', { class: 'error', text: errorText(err) }));
    }
  }

  function item(report) {
    const target = report.target;
    return h('li', { class: 'card report', testid: 'report', dataset: { reportId: report.id, kind: target.kind } },
      h('div', { class: 'meta' },
        h('span', { class: 'tag', text: t(`report.kind.${target.kind}`) }),
        target.user_name ? userText('strong', target.user_name, { testid: 'report-author' }) : null,
        target.open_reports > 1 ? h('span', { class: 'tag must', testid: 'report-count', text: t('moderation.reports', { count: target.open_reports }) }) : null),
      target.gone
        ? h('p', { class: 'muted', testid: 'report-gone', text: t('moderation.gone') })
        : userText('p', target.preview, { class: 'report-preview', testid: 'report-preview' }),
      h('p', { class: 'muted small' },
        t('moderation.reportedBy', { name: personName(report.reporter.name), reason: t(`report.reason.${report.reason}`) }), ' ',
        timeEl(report.created)),
      report.text ? userText('p', report.text, { class: 'report-words', testid: 'report-words' }) : null,
      report.status === 'open' ? actions(report) : outcome(report));
  }

  function outcome(report) {
    return h('p', { class: 'report-outcome', testid: 'report-outcome' },
      t('moderation.resolvedAs', { outcome: t(`report.outcome.${report.outcome}`), name: report.resolved_by ? report.resolved_by.name : '?' }), ' ',
      timeEl(report.resolved_at),
      report.note ? userText('span', ` — ${report.note}`) : null);
  }

  function actions(report) {
    const note = h('input', { testid: 'resolve-note', maxlength: '500', placeholder: t('moderation.note'), 'aria-label': t('moderation.note') });
    const as = h('select', { testid: 'resolve-outcome', 'aria-label': t('moderation.resolveAs') },
      OUTCOMES.map((o) => h('option', { value: o, text: t(`report.outcome.${o}`) })));
    const row = h('div', { class: 'row wrap report-actions' });
    const resolve = (button, outcomeName, act) => busy(button, async () => {
      if (act) await act();
      await api.resolveReport(circleId, report.id, outcomeName, note.value.trim());
      await load(true);
    });
    const button = (testid, text, outcomeName, act, { cls = '', ask = null } = {}) => {
      const b = h('button', {
        type: 'button', class: cls, testid, text,
        onclick: () => (ask && !window.confirm(ask) ? null : resolve(b, outcomeName, act)),
      });
      return b;
    };
    const target = report.target;
    const danger = { cls: 'danger' };
    row.append(button('resolve-dismiss', t('moderation.dismiss'), 'dismissed'));
    if (!target.gone && target.kind === 'post') {
      row.append(button('resolve-delete', t('moderation.delete'), 'deleted', () => api.deletePost(target.id), danger));
    } else if (!target.gone && target.kind === 'comment') {
      row.append(button('resolve-delete', t('moderation.delete'), 'deleted', () => api.deleteComment(target.id), danger));
    } else if (!target.gone && target.kind === 'message') {
      // A message's id is "<group>:<seq>"; an admin's delete leaves a tombstone for everyone.
      const [group, seq] = String(target.id).split(':');
      row.append(button('resolve-delete', t('moderation.delete'), 'deleted',
        () => api.deleteMessage(group, Number(seq), note.value.trim() || undefined), danger));
    }
    if (target.user && target.user !== (state.session.user || {}).id) {
      const name = target.user_name || '?';
      const why = () => note.value.trim() || t(`report.reason.${report.reason}`);
      row.append(
        button('resolve-mute', t('moderation.mute'), 'muted', () => api.mute(circleId, target.user, MUTE_MINUTES, why())),
        button('resolve-ban', t('moderation.ban'), 'banned', () => api.ban(circleId, target.user, why()),
          { ...danger, ask: t('moderation.banAsk', { name }) }),
        button('resolve-remove', t('moderation.remove'), 'removed', () => api.removeMember(circleId, target.user),
          { ...danger, ask: t('manage.removeMemberAsk', { name }) }));
    }
    const record = h('button', { type: 'button', testid: 'resolve-as', text: t('moderation.resolve'), onclick: () => resolve(record, as.value) });
    return h('div', {}, row, h('div', { class: 'row wrap' }, note, as, record));
  }

  const offs = [
    state.on(EV.reportsChanged, (d) => {
      if (d.circle !== circleId) return;
      showCount();
      if (status === 'open' && d.report && d.report.status === 'open') load(true);
      if (status === 'open' && d.report && d.report.status === 'resolved') {
        list.querySelector(`[data-report-id="${CSS.escape(d.report.id)}"]`)?.remove();
      }
    }),
  ];
  showCount();
  load(true);
  return () => {
    closed = true;
    for (const off of offs) off();
  };
}
