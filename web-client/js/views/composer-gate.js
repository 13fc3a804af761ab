// What stands between me and a chat's composer: while I am muted in the circle (from
// /me/circles' muted_until, kept current by member.updated events and by the clock) the
// composer gives way to a notice saying until when; a say refused for slow mode or a mute
// gives its text back to the composer and says why.

import { h, toast } from '../dom.js';
import { t } from '../i18n.js';
import { isMuted, mutedNotice, waitSeconds } from '../moderation.js';
import * as state from '../store/state.js';
import { EV } from '../store/names.js';

const TIMER_MAX_MS = 2 ** 31 - 1;

/** The notice (placed after the form); `restore(text, replyTo)` puts a refused say back. */
export function composerGate(circleId, chatKey, { form, restore }) {
  const notice = h('p', { class: 'composer-muted', testid: 'muted-notice', role: 'status', hidden: true });
  let clock = null;

  function draw() {
    clearTimeout(clock);
    const until = state.mutedUntil(circleId);
    const now = Date.now();
    const muted = isMuted(until, now);
    notice.hidden = !muted;
    form.hidden = muted;
    if (!muted) return;
    notice.textContent = mutedNotice(until, now);
    clock = setTimeout(draw, Math.min(until - now + 50, TIMER_MAX_MS)); // the mute ends by itself
  }

  const offs = [
    state.on(EV.mutedChanged, (d) => d.circle === circleId && draw()),
    state.on(EV.circlesChanged, draw), // /me/circles again (after a reconnect)
    state.on(EV.sayRefused, (d) => {
      if (d.circle !== chatKey) return;
      restore(d.text, d.replyTo);
      if (d.reason === 'slow_mode') toast(t('chat.slowMode', { seconds: waitSeconds(d.params) }));
    }),
  ];
  draw();
  return {
    el: notice,
    destroy() {
      clearTimeout(clock);
      offs.forEach((off) => off());
    },
  };
}
