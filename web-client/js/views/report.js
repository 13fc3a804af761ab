// Reporting: the "Report" button on a chat message, a post, a comment or a member opens a
// small dialog (a reason and optional words) that files the report; reporting the same
// thing again is answered with the first report. The reporter is told the outcome when
// an owner or admin resolves it (report.resolved reaches only them and the managers).

import * as api from '../api.js';
import { busy, h, toast } from '../dom.js';
import { t } from '../i18n.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';

export const REASONS = ['spam', 'abuse', 'illegal', 'other'];
const TEXT_MAX = 500;

/** A "Report" button for a target {kind, id}; `label` names what is reported (for screen readers). */
export function reportButton(circleId, target, { label = '', cls = 'link' } = {}) {
  return h('button', {
    type: 'button', class: `${cls} report-btn`, testid: 'report-btn',
    'aria-label': label ? t('report.actionOn', { name: label }) : t('report.action'),
    title: t('report.action'),
    onclick: () => openReportDialog(circleId, target),
  }, h('span', { class: 'icon', 'aria-hidden': 'true', text: '⚑' }), h('span', { class: 'label', text: t('report.action') }));
}

/** The dialog: a reason, optional words, send or cancel. */
export function openReportDialog(circleId, target) {
  const choices = REASONS.map((reason, i) => h('label', { class: 'report-reason' },
    h('input', { type: 'radio', name: 'report-reason', value: reason, testid: `report-reason-${reason}`, checked: i === 0 }),
    h('span', { text: t(`report.reason.${reason}`) })));
  const text = h('textarea', {
    testid: 'report-text', rows: '3', maxlength: String(TEXT_MAX), placeholder: t('report.textHint'),
    'aria-label': t('report.text'),
  });
  const send = h('button', { type: 'submit', class: 'primary', testid: 'report-send', text: t('report.send') });
  const cancel = h('button', { type: 'button', testid: 'report-cancel', text: t('common.cancel'), onclick: () => close() });
  const dialog = h('dialog', { class: 'report-dialog', testid: 'report-dialog', 'aria-label': t('report.title') },
    h('form', {
      onsubmit: (event) => {
        event.preventDefault();
        const reason = dialog.querySelector('input[name="report-reason"]:checked').value;
        busy(send, async () => {
          await api.fileReport(circleId, target, reason, text.value.trim());
          toast(t('report.sent'), 'info');
          close();
        });
      },
    },
    h('h2', { text: t(`report.title.${target.kind}`) }),
    h('fieldset', { class: 'report-reasons' }, h('legend', { text: t('report.reason') }), choices),
    text,
    h('div', { class: 'row' }, send, cancel)));
  function close() {
    dialog.close();
    dialog.remove();
  }
  dialog.addEventListener('cancel', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** The outcome of one's own reports, as a toast when it comes (from app.js, once). */
export function watchOutcomes() {
  return state.on(EV.reportOutcome, ({ report }) => {
    toast(t('report.outcomeToast', { outcome: t(`report.outcome.${report.outcome}`) }), 'info');
  });
}
