// Paid terms as the page shows them (docs/payments.md): a membership with an end date is
// read-only from `ends_at` and removed at `removes_at`; its member is told from a week
// before. The server decides; these only say where a membership stands and how to say it.

import { formatDateTime, t } from './i18n.js';

/** How long before the end the member is told (a week, as paid communities do). */
export const NOTICE_MS = 7 * 24 * 3600 * 1000;

/** Renewals offered to owners and admins, in calendar months. */
export const RENEW_MONTHS = [1, 3, 6, 12];

/**
 * Where a membership ending at `endsAt` stands at `now`: 'none' (no end), 'active',
 * 'soon' (ends within NOTICE_MS) or 'ended' (read-only until removed).
 */
export function termState(endsAt, now = Date.now()) {
  if (typeof endsAt !== 'number') return 'none';
  if (endsAt <= now) return 'ended';
  return endsAt - now <= NOTICE_MS ? 'soon' : 'active';
}

/** When the page must look again (ms from now), or null: the end, or the notice's start. */
export function nextChange(endsAt, now = Date.now()) {
  const state = termState(endsAt, now);
  if (state === 'ended' || state === 'none') return null;
  return (state === 'soon' ? endsAt : endsAt - NOTICE_MS) - now + 50;
}

/** The member's own notice: ends soon (with the renew hint), or ended (read-only until …). */
export function termNotice(endsAt, removesAt, now = Date.now()) {
  const state = termState(endsAt, now);
  if (state === 'soon') return t('term.endsSoon', { time: formatDateTime(endsAt, now) });
  if (state === 'ended') return t('term.ended', { time: formatDateTime(endsAt, now), removal: formatDateTime(removesAt || endsAt, now) });
  return '';
}

/** A member row's tag in the list: "until …" or "ended · removal …"; '' without an end. */
export function termTag(member, now = Date.now()) {
  const state = termState(member.ends_at, now);
  if (state === 'none') return '';
  if (state === 'ended') return t('term.tagEnded', { time: formatDateTime(member.removes_at || member.ends_at, now) });
  return t('term.tagUntil', { time: formatDateTime(member.ends_at, now) });
}
