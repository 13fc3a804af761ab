// Moderation rules the page follows (README.md, "Who may do what"): which actions an owner
// or admin is offered on a member, how long a mute lasts and how its end is said. The
// server decides; these only keep the page from offering what it would refuse.

import { formatDateTime, t } from './i18n.js';

/** A mute's `until` when it has no end (the largest integer JavaScript reads exactly). */
export const UNTIL_LIFTED = Number.MAX_SAFE_INTEGER;

/** The mute lengths offered, in minutes (null: until an admin lifts it). */
export const MUTE_CHOICES = [10, 60, 24 * 60, 7 * 24 * 60, null];

/** Slow mode intervals offered for a chat, in seconds (0: off). */
export const SLOW_MODE_CHOICES = [0, 10, 30, 60, 300];

const MANAGERS = new Set(['owner', 'admin']);

/** Whether a mute ending at `until` (ms, or null/undefined: none) is still on at `now`. */
export function isMuted(until, now = Date.now()) {
  return typeof until === 'number' && until > now;
}

/** "Nov 30 14:05" or "until an admin lifts it", for a mute ending at `until`. */
export function untilText(until, now = Date.now()) {
  return until >= UNTIL_LIFTED ? t('mute.untilLifted') : formatDateTime(until, now);
}

/** The composer's notice for a member muted until `until`. */
export function mutedNotice(until, now = Date.now()) {
  return until >= UNTIL_LIFTED ? t('mute.noticeLifted') : t('mute.notice', { time: formatDateTime(until, now) });
}

/**
 * What I (role `myRole`, id `myId`) may do to `member` in the member list: a list of
 * 'admin' (make admin), 'member' (make member), 'owner' (make owner), 'mute', 'unmute',
 * 'term' (set or renew the end date of a paid term), 'ban', 'remove'. An admin acts on members only; an owner on admins and members; nobody
 * on themselves or on an owner.
 */
export function actionsFor(myRole, myId, member, now = Date.now()) {
  if (!MANAGERS.has(myRole) || member.user === myId || member.role === 'owner') return [];
  if (myRole === 'admin' && member.role !== 'member') return [];
  const acts = [];
  if (member.role === 'member') acts.push('admin');
  if (member.role === 'admin') acts.push('member');
  if (myRole === 'owner') acts.push('owner');
  acts.push(isMuted(member.muted_until, now) ? 'unmute' : 'mute');
  acts.push('term', 'ban', 'remove');
  return acts;
}

/** The seconds a slow-mode refusal asks to wait (params.wait_ms), at least 1. */
export function waitSeconds(params) {
  return Math.max(1, Math.ceil(((params && params.wait_ms) || 0) / 1000));
}
