// A chat's rules for its admins: slow mode (one message per N seconds for members) and
// "only admins may post" (the group's read_only). The circle's own chat (its general
// group, whose id is the circle's) has them in the settings tab; other groups in their
// admin panel (group-admin.js), which uses the slow-mode select from here.

import * as api from '../api.js';
import { busy, field, h, toast } from '../dom.js';
import { t } from '../i18n.js';
import { SLOW_MODE_CHOICES } from '../moderation.js';
import * as groups from '../store/groups.js';

/** The slow-mode choice for a chat, set to `seconds` (an unlisted value is kept as is). */
export function slowModeSelect(seconds = 0) {
  const choices = SLOW_MODE_CHOICES.includes(seconds) ? SLOW_MODE_CHOICES : [...SLOW_MODE_CHOICES, seconds].sort((a, b) => a - b);
  return h('select', { testid: 'slow-mode' },
    choices.map((s) => h('option', { value: String(s), text: slowModeLabel(s), selected: s === seconds })));
}

function slowModeLabel(seconds) {
  if (!seconds) return t('manage.slowModeOff');
  return seconds < 60 ? t('manage.slowModeSeconds', { count: seconds }) : t('manage.slowModeMinutes', { count: Math.round(seconds / 60) });
}

/** The circle's chat rules card (owners and admins). */
export function circleChatRules(circleId) {
  const card = h('form', { class: 'card', testid: 'chat-rules' }, h('h3', { text: t('manage.chatRules') }));
  const draw = (group) => {
    const slow = slowModeSelect(group.slow_mode_s || 0);
    const adminsOnly = h('input', { type: 'checkbox', testid: 'admins-only', checked: Boolean(group.read_only) });
    const save = h('button', { type: 'submit', class: 'primary', testid: 'chat-rules-save', text: t('common.save') });
    card.onsubmit = (event) => {
      event.preventDefault();
      busy(save, async () => {
        const reply = await api.updateGroup(circleId, { slow_mode_s: Number(slow.value), read_only: adminsOnly.checked });
        groups.putGroup(circleId, reply.group);
        toast(t('manage.saved'), 'info');
      });
    };
    card.replaceChildren(card.firstChild,
      field(t('manage.slowMode'), slow, t('manage.slowModeHint')),
      h('label', { class: 'check' }, adminsOnly, ` ${t('manage.adminsOnly')}`),
      h('div', { class: 'row' }, save));
  };
  const known = groups.groupOf(circleId, circleId);
  if (known) draw(known);
  else {
    api.groups(circleId).then(({ groups: found }) => {
      groups.setGroups(circleId, found);
      const general = groups.groupOf(circleId, circleId);
      if (general) draw(general);
    }).catch(() => {});
  }
  return card;
}
