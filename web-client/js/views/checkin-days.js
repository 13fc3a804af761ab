// A challenge's days beyond today's check-in (README "Check-in challenges"): the member's
// calendar (checked in, made up 补卡, on leave 请假, pending review), make-up and leave with
// each refusal said, the reminder switch; for owners and admins the review queue, the
// grant-a-make-up form and the CSV downloads. challenges.js places these on a challenge's
// page; `reload` draws the page again after a change.

import * as api from '../api.js';
import { busy, field, h, saveBlob, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { userText } from './user-text.js';

/** The member's days: one chip per day with something on it. */
export function calendarEl(days) {
  if (!days.length) return null;
  const chip = (d) => {
    const kind = d.kind === 'leave' ? 'leave' : d.state !== 'valid' ? d.state : d.makeup ? 'makeup' : 'ontime';
    return h('li', { class: `day-chip day-${kind}`, testid: 'calendar-day', dataset: { date: d.date, kind } },
      h('span', { class: 'date', text: d.date.slice(5) }), h('span', { class: 'small', text: t(`checkinDays.kind.${kind}`) }));
  };
  return h('section', { class: 'checkin-calendar', testid: 'checkin-calendar', 'aria-label': t('checkinDays.calendar') },
    h('h4', { text: t('checkinDays.calendar') }),
    h('ul', { class: 'day-chips' }, days.map(chip)));
}

/** Where a refusal is said; `drafts[key]` keeps it across a live redraw. */
function refusal(testid, drafts = {}, key = testid) {
  const el = h('p', { class: 'error', testid, hidden: !drafts[key], role: 'alert', text: drafts[key] || '' });
  el.dataset.key = key;
  el.drafts = drafts;
  return el;
}

function said(problem, err) {
  const text = errorText(err);
  if (problem.drafts) problem.drafts[problem.dataset.key] = text;
  // A live redraw may have replaced the form while the request was out: say it there.
  const shown = problem.isConnected ? problem
    : document.querySelector(`[data-testid="${problem.dataset.testid}"]`) || problem;
  shown.textContent = text;
  shown.hidden = false;
}

/** An input whose value outlives a redraw (`drafts`, the view's, keyed by `key`). */
function kept(drafts, key, props) {
  const el = h('input', { ...props, value: drafts[key] ?? props.value ?? '' });
  el.addEventListener('input', () => { drafts[key] = el.value; });
  return el;
}

/** A <details> that stays open across redraws. */
function keptOpen(drafts, key, props, ...children) {
  const el = h('details', { ...props, open: Boolean(drafts[key]) }, ...children);
  el.addEventListener('toggle', () => { drafts[key] = el.open; });
  return el;
}

/** Make up a past day, take a leave day, and the reminder switch (participants). What is
 * typed lives in `drafts`, so a live redraw (another member's check-in) keeps it. */
export function memberTools(c, reload, drafts = {}) {
  if (!c.me || c.status === 'upcoming') return null;
  const parts = [];
  if (c.makeup_days > 0 || c.strict) {
    const day = kept(drafts, 'makeupDate', { type: 'date', testid: 'makeup-date', max: c.today, 'aria-label': t('checkinDays.makeupDate') });
    const text = kept(drafts, 'makeupText', { testid: 'makeup-text', maxlength: '2000', placeholder: t('checkinDays.makeupText') });
    const problem = refusal('makeup-error', drafts);
    const go = h('button', {
      type: 'button', testid: 'makeup-send', text: t('checkinDays.makeup'),
      onclick: () => busy(go, async () => {
        try {
          await api.makeUp(c.id, day.value, text.value.trim());
          delete drafts.makeupDate;
          delete drafts.makeupText;
          delete drafts['makeup-error'];
          await reload();
        } catch (err) {
          said(problem, err);
        }
      }),
    });
    parts.push(h('div', { class: 'checkin-tool', testid: 'makeup-form' },
      h('p', { class: 'muted small', text: c.strict ? t('checkinDays.strict') : t('checkinDays.makeupRule', { days: c.makeup_days, quota: c.makeup_quota, per: t(`checkinDays.per.${c.makeup_per}`) }) }),
      h('div', { class: 'row wrap' }, day, text, go), problem));
  }
  if (c.leave_days > 0 || c.strict) {
    const problem = refusal('leave-error', drafts);
    const go = h('button', {
      type: 'button', testid: 'leave-send', text: t('checkinDays.leave'),
      onclick: () => busy(go, async () => {
        try {
          await api.takeLeave(c.id);
          delete drafts['leave-error'];
          await reload();
        } catch (err) {
          said(problem, err);
        }
      }),
    });
    parts.push(h('div', { class: 'checkin-tool', testid: 'leave-form' },
      c.strict ? null : h('p', { class: 'muted small', text: t('checkinDays.leaveRule', { count: c.leave_days }) }), go, problem));
  }
  if (c.remind_at || c.nudge_at) {
    const box = h('input', {
      type: 'checkbox', testid: 'reminder-toggle', checked: c.me.reminders !== false,
      onchange: () => busy(null, async () => {
        try {
          await api.setReminders(c.id, box.checked);
          toast(t(box.checked ? 'checkinDays.remindOn' : 'checkinDays.remindOff'), 'info');
        } catch (err) {
          box.checked = !box.checked;
          toast(errorText(err));
        }
      }),
    });
    // One switch for both: the daily reminder and the evening's streak-at-risk nudge.
    const said = [c.remind_at && t('checkinDays.remind', { time: c.remind_at }), c.nudge_at && t('checkinDays.nudge', { time: c.nudge_at })];
    parts.push(h('label', { class: 'row checkin-tool' }, box, h('span', { text: said.filter(Boolean).join(' · ') })));
  }
  return parts.length ? h('section', { class: 'checkin-tools', testid: 'checkin-tools' }, parts) : null;
}

/** The review queue (owners and admins): approve, or reject with an optional reason. */
export function reviewEl(pending, reload) {
  const item = (k) => {
    const reason = h('input', { testid: 'review-reason', maxlength: '200', placeholder: t('checkinDays.rejectWhy'), 'aria-label': t('checkinDays.rejectWhy') });
    const decide = (approve, button) => busy(button, async () => {
      try {
        await (approve ? api.approveCheckin(k.id) : api.rejectCheckin(k.id, reason.value.trim()));
        await reload();
      } catch (err) {
        toast(errorText(err));
      }
    });
    const yes = h('button', { type: 'button', class: 'small primary', testid: 'review-approve', text: t('checkinDays.approve'), onclick: () => decide(true, yes) });
    const no = h('button', { type: 'button', class: 'small danger', testid: 'review-reject', text: t('checkinDays.reject'), onclick: () => decide(false, no) });
    return h('li', { class: 'card checkin', testid: 'review-item', dataset: { id: k.id } },
      h('div', { class: 'meta' }, userText('strong', k.name || ''), h('span', { class: 'muted small', text: k.makeup ? `${k.date} · ${t('checkinDays.kind.makeup')}` : k.date })),
      k.text ? userText('p', k.text) : null,
      h('div', { class: 'row wrap' }, reason, yes, no));
  };
  return h('section', { class: 'challenge-review', testid: 'challenge-review' },
    h('h4', { text: t('checkinDays.review', { count: pending.length }) }),
    pending.length ? h('ul', { class: 'checkin-list' }, pending.map(item))
      : h('p', { class: 'muted', testid: 'review-empty', text: t('checkinDays.reviewEmpty') }));
}

/** Grant a participant a make-up (owners and admins): whom (from the board), which day, why. */
export function grantEl(c, people, reload, drafts = {}) {
  if (c.strict) return null;
  const who = h('select', { testid: 'grant-user', 'aria-label': t('checkinDays.grantWho') },
    people.map((p) => h('option', { value: p.user, text: p.name, selected: p.user === drafts.grantUser })));
  who.addEventListener('change', () => { drafts.grantUser = who.value; });
  const day = kept(drafts, 'grantDate', { type: 'date', testid: 'grant-date', max: c.today, 'aria-label': t('checkinDays.makeupDate') });
  const why = kept(drafts, 'grantReason', { testid: 'grant-reason', maxlength: '200', required: true, placeholder: t('checkinDays.grantWhy'), 'aria-label': t('checkinDays.grantWhy') });
  const problem = refusal('grant-error', drafts);
  const submit = h('button', { type: 'submit', testid: 'grant-send', text: t('checkinDays.grant') });
  const form = h('form', {
    class: 'challenge-form', testid: 'grant-form',
    onsubmit: (event) => {
      event.preventDefault();
      busy(submit, async () => {
        try {
          await api.grantMakeup(c.id, who.value, day.value, why.value.trim());
          delete drafts.grantDate;
          delete drafts.grantReason;
          delete drafts['grant-error'];
          toast(t('checkinDays.granted'), 'info');
          await reload();
        } catch (err) {
          said(problem, err);
        }
      });
    },
  }, field(t('checkinDays.grantWho'), who), field(t('checkinDays.makeupDate'), day), field(t('checkinDays.grantWhy'), why), submit, problem);
  return keptOpen(drafts, 'grantOpen', { class: 'card', testid: 'grant-new' }, h('summary', { text: t('checkinDays.grantTitle') }), form);
}

/** The CSV downloads (owners and admins). */
export function exportsEl(c) {
  const link = (which) => {
    const button = h('button', {
      type: 'button', class: 'link', testid: `csv-${which}`, text: t(`checkinDays.csv.${which}`),
      onclick: () => busy(button, async () => {
        try {
          saveBlob(await api.download(`/challenges/${encodeURIComponent(c.id)}/${which}.csv`), `${which}-${c.id}.csv`);
        } catch (err) {
          toast(errorText(err));
        }
      }),
    });
    return button;
  };
  return h('p', { class: 'row wrap small', testid: 'challenge-exports' }, link('export'), link('completed'));
}

/** The rules a new challenge may set (the start form): make-up, leave, strict, review, reminder. */
export function ruleFields() {
  const makeup = h('input', { type: 'number', testid: 'rule-makeup-days', min: '0', max: '366', value: '0' });
  const quota = h('input', { type: 'number', testid: 'rule-makeup-quota', min: '0', max: '366', value: '2' });
  const per = h('select', { testid: 'rule-makeup-per' },
    h('option', { value: 'challenge', text: t('checkinDays.per.challenge') }),
    h('option', { value: 'month', text: t('checkinDays.per.month') }));
  const leave = h('input', { type: 'number', testid: 'rule-leave-days', min: '0', max: '366', value: '0' });
  const strict = h('input', { type: 'checkbox', testid: 'rule-strict' });
  const review = h('input', { type: 'checkbox', testid: 'rule-review' });
  const remind = h('input', { type: 'time', testid: 'rule-remind-at' });
  const nudge = h('input', { type: 'time', testid: 'rule-nudge-at', value: '20:00' });
  const el = h('fieldset', { class: 'challenge-rules' },
    h('legend', { text: t('checkinDays.rules') }),
    field(t('checkinDays.ruleMakeup'), makeup), field(t('checkinDays.ruleQuota'), quota), field(t('checkinDays.rulePer'), per),
    field(t('checkinDays.ruleLeave'), leave),
    h('label', { class: 'row' }, strict, h('span', { text: t('checkinDays.ruleStrict') })),
    h('label', { class: 'row' }, review, h('span', { text: t('checkinDays.ruleReview') })),
    field(t('checkinDays.ruleRemind'), remind),
    field(t('checkinDays.ruleNudge'), nudge));
  return {
    el,
    values() {
      const out = {};
      if (Number(makeup.value) > 0) Object.assign(out, { makeup_days: Number(makeup.value), makeup_quota: Number(quota.value), makeup_per: per.value });
      if (Number(leave.value) > 0) out.leave_days = Number(leave.value);
      if (strict.checked) out.strict = true;
      if (review.checked) out.review = true;
      if (remind.value) out.remind_at = remind.value.slice(0, 5);
      out.nudge_at = nudge.value ? nudge.value.slice(0, 5) : null;
      return out;
    },
  };
}

/** The circle's quiet hours (owners and admins): no reminder is pushed then. */
export function quietHoursEl(circle) {
  const from = h('input', { type: 'time', testid: 'quiet-from', value: circle.quiet_from || '', 'aria-label': t('checkinDays.quietFrom') });
  const to = h('input', { type: 'time', testid: 'quiet-to', value: circle.quiet_to || '', 'aria-label': t('checkinDays.quietTo') });
  const problem = refusal('quiet-error');
  const save = h('button', { type: 'submit', testid: 'quiet-save', text: t('checkinDays.quietSave') });
  const form = h('form', {
    class: 'row wrap', testid: 'quiet-form',
    onsubmit: (event) => {
      event.preventDefault();
      busy(save, async () => {
        try {
          await api.updateCircle(circle.id, { quiet_from: from.value.slice(0, 5), quiet_to: to.value.slice(0, 5) });
          problem.hidden = true;
          toast(t('checkinDays.quietSaved'), 'info');
        } catch (err) {
          said(problem, err);
        }
      });
    },
  }, field(t('checkinDays.quietFrom'), from), field(t('checkinDays.quietTo'), to), save);
  return h('details', { class: 'card', testid: 'quiet-hours' },
    h('summary', { text: t('checkinDays.quietTitle') }),
    h('p', { class: 'muted small', text: t('checkinDays.quietAbout') }), form, problem);
}
