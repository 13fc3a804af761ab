// A circle's access codes in Settings (owners and admins): generate, copy an invite link
// (a link carrying a code), and the list from the server — uses of the maximum, expiry,
// who joined with each and when, and revoke (the code and its links admit nobody after).
// A paid code carries a membership term (docs/payments.md): N months from joining, or
// everyone until a date; a member with an end who redeems one renews. A batch may be a
// cohort: a label ("2026 春季班"), a term of N days, and a chat group each redeemer joins;
// the list shows each code's label and who redeemed it when, and a cohort's unused codes
// are revoked at once.

import * as api from '../api.js';
import { busy, copyText, field, fill, h, time, timeEl, toast } from '../dom.js';
import { t } from '../i18n.js';
import { userText } from './user-text.js';

export function codesView(circleId, info) {
  const count = h('input', { testid: 'codes-count', type: 'number', min: '1', max: '100', value: '1' });
  const maxUses = h('input', { testid: 'codes-max-uses', type: 'number', min: '1', placeholder: t('manage.unlimited') });
  const term = h('select', { testid: 'codes-term' },
    h('option', { value: '', text: t('term.codeNone') }),
    h('option', { value: 'period', text: t('term.codePeriod') }),
    h('option', { value: 'deadline', text: t('term.codeDeadline') }),
    h('option', { value: 'days', text: t('cohort.codeDays') }));
  const days = h('input', { testid: 'codes-days', type: 'number', min: '1', max: '3660', value: '30', 'aria-label': t('cohort.days') });
  const label = h('input', { testid: 'codes-label', maxlength: '80', placeholder: t('cohort.labelHint') });
  const group = h('select', { testid: 'codes-group' }, h('option', { value: '', text: t('cohort.noGroup') }));
  api.groups(circleId).then(({ groups: found }) => {
    group.append(...found.filter((g) => g.id !== circleId && !g.archived)
      .map((g) => userText('option', g.name, { value: g.id }))); // a name someone gave
  }).catch(() => {});
  const months = h('input', { testid: 'codes-months', type: 'number', min: '1', max: '120', value: '1', 'aria-label': t('term.codeMonths') });
  const deadline = h('input', { testid: 'codes-deadline', type: 'date', 'aria-label': t('term.endDate') });
  const termFields = h('div', { class: 'row wrap', hidden: true }, months, deadline, days);
  term.addEventListener('change', () => {
    termFields.hidden = !term.value;
    months.hidden = term.value !== 'period';
    deadline.hidden = term.value !== 'deadline';
    days.hidden = term.value !== 'days';
  });
  const generate = h('button', { type: 'submit', testid: 'codes-generate', text: t('manage.generate') });
  const list = h('ul', { class: 'codes', testid: 'codes-list', 'aria-label': t('manage.codeList') });
  const more = h('button', { type: 'button', testid: 'codes-more', hidden: true, text: t('joining.more') });
  let next = null;

  async function load(cursor) {
    const reply = await api.codes(circleId, cursor);
    const items = reply.codes.map(codeItem);
    if (cursor) list.append(...items);
    else fill(list, items);
    next = reply.next;
    more.hidden = !next;
  }
  more.addEventListener('click', () => busy(more, () => load(next)));

  const el = h('form', {
    class: 'card', testid: 'codes-form',
    onsubmit: (event) => {
      event.preventDefault();
      busy(generate, async () => {
        await api.createCodes(circleId, Number(count.value) || 1, Number(maxUses.value) || undefined, undefined, termOf());
        await load();
        list.querySelector('[data-testid="code-copy"]')?.focus();
      });
    },
  },
  h('h3', { text: t('manage.codes') }),
  h('p', { class: 'muted small', text: info.visibility === 'private' ? t('manage.codesPrivate') : t('manage.codesPublic') }),
  h('div', { class: 'row wrap' }, field(t('manage.codesCount'), count), field(t('manage.codesUses'), maxUses),
    field(t('term.codeTerm'), term), termFields),
  h('div', { class: 'row wrap' }, field(t('cohort.label'), label), field(t('cohort.group'), group), generate),
  list, more);

  /** The paid term the form asks for: {months}, {deadline} (the end of that day), {days}
   *  or {}; with the cohort's label and group when given. */
  function termOf() {
    const cohort = { label: label.value.trim() || undefined, group: group.value || undefined };
    if (term.value === 'period') return { ...cohort, months: Number(months.value) || 1 };
    if (term.value === 'deadline' && deadline.value) return { ...cohort, deadline: new Date(`${deadline.value}T23:59:59`).getTime() };
    if (term.value === 'days') return { ...cohort, days: Number(days.value) || 1 };
    return cohort;
  }

  function codeItem(code) {
    const link = inviteLink(circleId, code.code);
    const li = h('li', { testid: 'code-item', class: code.revoked ? 'revoked' : null, dataset: { code: code.code } });
    const who = h('ul', { class: 'redemptions small', testid: 'code-redemptions', hidden: true });
    const copy = h('button', {
      type: 'button', testid: 'code-copy', text: t('manage.copyLink'),
      onclick: async () => {
        const done = await copyText(link);
        copy.textContent = done ? t('manage.copied') : t('manage.copyByHand');
      },
    });
    const showWho = h('button', {
      type: 'button', testid: 'code-show-redemptions', text: t('joining.whoJoined'),
      onclick: () => busy(showWho, async () => {
        const reply = await api.codeRedemptions(circleId, code.code);
        fill(who, reply.redemptions.length
          ? reply.redemptions.map((r) => h('li', {}, userText('span', r.name), ' · ', timeEl(r.redeemed)))
          : h('li', { class: 'muted', text: t('joining.nobodyYet') }));
        who.hidden = false;
      }),
    });
    const revoke = h('button', {
      type: 'button', class: 'danger', testid: 'code-revoke', text: t('joining.revoke'),
      onclick: () => {
        if (!window.confirm(t('joining.revokeAsk'))) return;
        busy(revoke, async () => {
          const revoked = await api.revokeCode(circleId, code.code);
          li.replaceWith(codeItem(revoked));
        });
      },
    });
    const uses = code.max_uses ? t('manage.used', { uses: code.uses || 0, max: code.max_uses }) : t('manage.unlimitedUses');
    const paid = code.period_months ? t('term.codeFactMonths', { count: code.period_months })
      : code.deadline ? t('term.codeFactUntil', { when: time(code.deadline) })
        : code.period_days ? t('cohort.factDays', { count: code.period_days }) : null;
    const facts = [uses, paid, code.expires ? t('joining.expires', { when: time(code.expires) }) : null,
      code.revoked ? t('joining.revoked', { when: time(code.revoked) }) : null].filter(Boolean).join(' · ');
    // A cohort's code: its label (with revoke-unused for the whole label), who redeemed it.
    const revokeCohort = code.label && !code.revoked ? h('button', {
      type: 'button', class: 'link small', testid: 'cohort-revoke-unused', text: t('cohort.revokeUnused'),
      onclick: () => {
        if (!window.confirm(t('cohort.revokeUnusedAsk', { label: code.label }))) return;
        busy(revokeCohort, async () => {
          const { revoked } = await api.revokeUnused(circleId, { label: code.label });
          toast(t('cohort.revoked', { count: revoked }), 'info');
          await load();
        });
      },
    }) : null;
    const redeemed = (code.redeemed || []).length
      ? h('span', { class: 'small', testid: 'code-redeemed' }, t('cohort.redeemedBy'), ' ',
        ...code.redeemed.flatMap((r, i) => [i ? ', ' : '', userText('span', r.name), ' · ', timeEl(r.redeemed)]))
      : null;
    fill(li,
      userText('code', code.code, { class: 'code', testid: 'code', title: t('manage.code') }),
      code.label ? h('span', { class: 'tag', testid: 'code-label' }, userText('span', code.label)) : null,
      h('span', { class: 'muted small', testid: 'code-facts', text: facts }),
      redeemed,
      code.revoked ? null : h('input', { class: 'invite-link', testid: 'invite-link', readonly: true, value: link, 'aria-label': t('manage.inviteLink'), onfocus: (e) => e.target.select() }),
      h('div', { class: 'row wrap' }, code.revoked ? null : copy, code.uses ? showWho : null, code.revoked ? null : revoke, revokeCohort),
      who);
    return li;
  }

  load().catch(() => {});
  return el;
}

export function inviteLink(circleId, code) {
  const tail = code ? `/${encodeURIComponent(code)}` : '';
  return `${location.origin}/#/join/${encodeURIComponent(circleId)}${tail}`;
}
