// The actions an owner or admin has on one member of the list (moderation.js decides which:
// an admin acts on members, an owner on admins and members, nobody on themselves or an
// owner): a new role, mute (for a time or until lifted, with a reason) or unmute, a paid
// term's end (renew by months, a date, or no end), ban (with a reason) and remove. They
// open under the member's row; each goes through actions.js.

import * as actions from '../actions.js';
import { busy, h } from '../dom.js';
import { t } from '../i18n.js';
import { actionsFor, MUTE_CHOICES } from '../moderation.js';
import { RENEW_MONTHS } from '../terms.js';
import * as state from '../store/state.js';

const ROLE_ACTS = { admin: 'manage.makeAdmin', member: 'manage.makeMember', owner: 'manage.makeOwner' };

/** The "Actions" button and its panel for a member, or null when I may do nothing to them. */
export function memberActions(circleId, member, { open, onToggle }) {
  const me = state.session.user || {};
  const acts = actionsFor(state.roleIn(circleId), me.id, member);
  if (!acts.length) return null;
  const panelId = `member-acts-${member.user}`;
  const toggle = h('button', {
    type: 'button', class: 'small', testid: 'member-actions', text: t('manage.memberActions'),
    'aria-expanded': open ? 'true' : 'false', 'aria-controls': panelId,
    'aria-label': t('manage.memberActionsFor', { name: member.name }),
    onclick: () => onToggle(!open),
  });
  const panel = h('div', { id: panelId, class: 'member-acts', testid: 'member-actions-panel', hidden: !open });
  const done = () => onToggle(false); // an act went through: the panel closes
  if (open) panel.append(...acts.map((act) => actButton(circleId, member, act, panel, done)));
  return { toggle, panel };
}

function actButton(circleId, member, act, panel, done) {
  const danger = act === 'ban' || act === 'remove';
  const button = h('button', {
    type: 'button', class: danger ? 'small danger' : 'small', testid: `member-${act}`, text: actLabel(act),
    'aria-label': act === 'remove' ? t('manage.removeMember', { name: member.name }) : null,
    onclick: () => {
      if (act === 'mute' || act === 'ban') panel.replaceChildren(reasonForm(circleId, member, act, done));
      else if (act === 'term') panel.replaceChildren(termForm(circleId, member, done));
      else run(button, circleId, member, act, done);
    },
  });
  return button;
}

function actLabel(act) {
  if (ROLE_ACTS[act]) return t(ROLE_ACTS[act]);
  return t(act === 'remove' ? 'common.remove' : `manage.${act}`);
}

function run(button, circleId, member, act, done) {
  const { name } = member;
  if (act === 'owner' && !window.confirm(t('manage.makeOwnerAsk', { name }))) return;
  if (act === 'remove' && !window.confirm(t('manage.removeMemberAsk', { name }))) return;
  busy(button, async () => {
    if (ROLE_ACTS[act]) await actions.setRole(circleId, member.user, act);
    else if (act === 'unmute') await actions.unmute(circleId, member.user);
    else await actions.removeMember(circleId, member.user);
    done();
  });
}

/** Mute (how long, why) or ban (why), then the act. */
function reasonForm(circleId, member, act, done) {
  const length = act === 'mute' ? h('select', { testid: 'mute-length', 'aria-label': t('manage.muteLength') },
    MUTE_CHOICES.map((minutes) => h('option', { value: minutes == null ? '' : String(minutes), text: lengthLabel(minutes) }))) : null;
  const reason = h('input', {
    testid: `${act}-reason`, maxlength: '500', autocomplete: 'off',
    placeholder: t('manage.reasonOptional'), 'aria-label': t('manage.reasonOptional'),
  });
  const go = h('button', {
    type: 'submit', class: act === 'ban' ? 'small danger' : 'small primary', testid: `${act}-confirm`, text: t(`manage.${act}`),
  });
  return h('form', {
    class: 'row wrap', testid: `${act}-form`,
    onsubmit: (event) => {
      event.preventDefault();
      const why = reason.value.trim() || undefined;
      if (act === 'ban') {
        if (!window.confirm(t('manage.banAsk', { name: member.name }))) return;
        busy(go, async () => { await actions.ban(circleId, member.user, why); done(); });
      } else {
        const minutes = length.value ? Number(length.value) : null;
        busy(go, async () => { await actions.mute(circleId, member.user, minutes, why); done(); });
      }
    },
  }, length, reason, go);
}

/** A paid term's end: renew by some months, set a date, or take the end away. */
function termForm(circleId, member, done) {
  const how = h('select', { testid: 'term-length', 'aria-label': t('term.renewBy') },
    RENEW_MONTHS.map((months) => h('option', { value: String(months), text: t('term.months', { count: months }) })),
    h('option', { value: 'date', text: t('term.onDate') }));
  const date = h('input', { type: 'date', testid: 'term-date', hidden: true, 'aria-label': t('term.endDate') });
  how.addEventListener('change', () => { date.hidden = how.value !== 'date'; });
  const go = h('button', { type: 'submit', class: 'small primary', testid: 'term-confirm', text: t('term.set') });
  const clear = member.ends_at ? h('button', {
    type: 'button', class: 'small', testid: 'term-clear', text: t('term.clear'),
    onclick: () => busy(clear, async () => { await actions.clearTerm(circleId, member.user); done(); }),
  }) : null;
  return h('form', {
    class: 'row wrap', testid: 'term-form',
    onsubmit: (event) => {
      event.preventDefault();
      let term = { months: Number(how.value) };
      if (how.value === 'date') {
        // The end of that day, in the manager's time zone.
        const endsAt = date.value ? new Date(`${date.value}T23:59:59`).getTime() : NaN;
        if (!Number.isFinite(endsAt)) { date.focus(); return; }
        term = { ends_at: endsAt };
      }
      busy(go, async () => { await actions.setTerm(circleId, member.user, term); done(); });
    },
  }, how, date, go, clear);
}

function lengthLabel(minutes) {
  if (minutes == null) return t('mute.choiceLifted');
  if (minutes < 60) return t('mute.minutes', { count: minutes });
  if (minutes < 24 * 60) return t('mute.hours', { count: minutes / 60 });
  return t('mute.days', { count: minutes / (24 * 60) });
}
