// What stands between me and a chat's composer: while I am muted in the circle (from
// /me/circles' muted_until, kept current by member.updated events and by the clock) the
// composer gives way to a notice saying until when; so it does once my paid term has ended
// (ends_at: read-only until removes_at, docs/payments.md), and from a week before the end a
// banner says when it ends and how to renew. A say refused for slow mode, a mute or an
// ended term gives its text back to the composer and says why.

import { h, toast } from '../dom.js';
import { t } from '../i18n.js';
import { isMuted, mutedNotice, waitSeconds } from '../moderation.js';
import { nextChange, termNotice, termState } from '../terms.js';
import * as state from '../store/state.js';
import { EV } from '../store/names.js';

const TIMER_MAX_MS = 2 ** 31 - 1;

/** The notices (placed after the form); `restore(text, replyTo)` puts a refused say back. */
export function composerGate(circleId, chatKey, { form, restore }) {
  const notice = h('p', { class: 'composer-muted', testid: 'muted-notice', role: 'status', hidden: true });
  const term = h('p', { class: 'composer-term', testid: 'term-notice', role: 'status', hidden: true });
  const el = h('div', { class: 'composer-gate' }, notice, term);
  let clock = null;

  function draw() {
    clearTimeout(clock);
    const until = state.mutedUntil(circleId);
    const { endsAt, removesAt } = state.termIn(circleId);
    const now = Date.now();
    const muted = isMuted(until, now);
    const standing = termState(endsAt, now);
    const ended = standing === 'ended';
    notice.hidden = !muted || ended;
    form.hidden = muted || ended;
    term.hidden = standing !== 'soon' && !ended;
    term.dataset.state = standing;
    term.textContent = termNotice(endsAt, removesAt, now);
    if (muted && !ended) notice.textContent = mutedNotice(until, now);
    const waits = [muted ? until - now + 50 : null, nextChange(endsAt, now)].filter((ms) => ms != null);
    // The mute ends, the term's notice starts or the term ends, by itself.
    if (waits.length) clock = setTimeout(draw, Math.min(...waits, TIMER_MAX_MS));
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
    el,
    destroy() {
      clearTimeout(clock);
      offs.forEach((off) => off());
    },
  };
}
