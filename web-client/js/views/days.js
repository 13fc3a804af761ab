// The day a chat separator names: "Today", "Yesterday", else the date in the page's language.

import { formatDay, t } from '../i18n.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function sameDay(a, b) {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

export function dayLabel(ms, now = Date.now()) {
  if (sameDay(ms, now)) return t('chat.today');
  if (sameDay(ms, now - DAY_MS)) return t('chat.yesterday');
  return formatDay(ms, now);
}
