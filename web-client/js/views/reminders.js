// Reminders (`reminder` events: mine only, store/reminders.py on the server): a toast
// whatever page is shown. Only a fresh one is said: catching up after a long absence
// does not replay the lesson that started yesterday.

import { toast } from '../dom.js';
import { t } from '../i18n.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';

export const FRESH_MS = 60 * 60 * 1000;

/** What a reminder says, by what it is about (lesson, homework, checkin, streak: the
 * evening's streak-at-risk nudge with the streak's `count`, gathering). */
export function reminderText(about) {
  return t(`reminder.${about.kind}`, { title: about.title, count: about.count ?? 0 });
}

export function watchReminders(now = Date.now) {
  return state.on(EV.reminder, (ev) => {
    if (!ev.about || now() - ev.ts > FRESH_MS) return;
    toast(reminderText(ev.about), 'info');
  });
}
