// A member's notifications from one circle (all, only mentions and replies to them,
// none): PATCH /me/notifications/settings with {circles: {id: level}}. In the circle's
// settings tab (on a phone: More), for every member.

import * as api from '../api.js';
import { field, h, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';

const LEVELS = ['all', 'mentions', 'none'];

export function notifyLevel(circleId) {
  const select = h('select', { testid: 'notify-level', disabled: true },
    LEVELS.map((level) => h('option', { value: level, text: t(`inbox.level.${level}`) })));
  const saved = h('span', { class: 'muted', testid: 'notify-level-saved', role: 'status' });
  api.notificationSettings().then((settings) => {
    select.value = (settings.circles || {})[circleId] || 'all';
    select.disabled = false;
  }, () => {});
  select.addEventListener('change', async () => {
    saved.textContent = '';
    try {
      await api.updateNotificationSettings({ circles: { [circleId]: select.value } });
      saved.textContent = t('inbox.levelSaved');
    } catch (err) {
      toast(errorText(err));
    }
  });
  return h('div', { class: 'card notify-level', testid: 'notify-level-card' }, field(t('inbox.level'), select), saved);
}
