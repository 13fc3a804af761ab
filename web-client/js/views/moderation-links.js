// The settings tab's way to reports: the moderation queue with its open count (owners and
// admins; the count stays live through report.filed and report.resolved), the audit log
// (owners) and, for everyone, one's own reports.

import * as api from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { EV } from '../store/names.js';
import * as reports from '../store/reports.js';
import * as state from '../store/state.js';

export function moderationLinks(circleId) {
  const badge = h('span', { class: 'badge', testid: 'moderation-badge', hidden: true });
  const base = `#/c/${encodeURIComponent(circleId)}`;
  let asked = false;

  function showCount() {
    const open = reports.openOf(circleId);
    badge.hidden = !open;
    badge.textContent = open ? String(open) : '';
    badge.setAttribute('aria-label', t('moderation.openCount', { count: open || 0 }));
  }

  function render() {
    const role = state.roleIn(circleId);
    const manager = state.isManager(circleId);
    if (manager && !asked) {
      asked = true;
      api.reportQueue(circleId, 'open', undefined, 1).then((page) => reports.setOpen(circleId, page.open), () => {});
    }
    showCount();
    const link = (testid, href, text, extra = null) => h('li', {}, h('a', { href, testid, class: 'more-item' }, text, extra));
    return h('section', { class: 'card', testid: 'moderation-section' },
      h('h3', { text: t('moderation.section') }),
      h('ul', { class: 'link-list' },
        manager ? link('moderation-link', `${base}/moderation`, t('moderation.title'), badge) : null,
        role === 'owner' ? link('audit-link', `${base}/audit`, t('audit.title')) : null,
        link('my-reports-link', '#/reports', t('myReports.title'))));
  }

  const off = state.on(EV.reportsChanged, (d) => d.circle === circleId && showCount());
  return { render, destroy: off };
}
