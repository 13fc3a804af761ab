// "X is typing…" under a chat: `typing` pushes of the chat shown, each name kept about
// 5 s after its last push; and this user's own typing told to the others at most every 3 s
// while they type (the server drops more anyway).

import * as actions from '../actions.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as state from '../store/state.js';
import { EV } from '../store/names.js';

const SHOW_MS = 5000;
const SEND_EVERY_MS = 3000;
const TEXT = {
  one: (a) => t('chat.typingOne', { name: a }),
  two: (a, b) => t('chat.typingTwo', { a, b }),
  many: (n) => t('chat.typingMany', { count: n }),
};

export function typingLine(circleId, chat) {
  const el = h('div', { class: 'typing muted small', testid: 'typing', 'aria-live': 'polite' });
  const typists = new Map(); // user id → {name, timer}
  let lastSent = 0;

  function draw() {
    const names = [...typists.values()].map((t) => t.name);
    el.textContent = names.length === 0 ? ''
      : names.length === 1 ? TEXT.one(names[0])
        : names.length === 2 ? TEXT.two(names[0], names[1]) : TEXT.many(names.length);
  }

  function heard({ chat: where, user }) {
    if (where !== chat || !user || !user.id) return;
    const me = state.session.user;
    if (me && user.id === me.id) return;
    const known = typists.get(user.id);
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(() => gone(user.id), SHOW_MS);
    typists.set(user.id, { name: user.name || '?', timer });
    draw();
  }

  function gone(userId) {
    const known = typists.get(userId);
    if (!known) return;
    clearTimeout(known.timer);
    typists.delete(userId);
    draw();
  }

  const offs = [
    state.on(EV.typing, heard),
    // Their message arrived: they are done typing it.
    state.on(EV.message, (d) => d.circle === chat && d.message.from && gone(d.message.from.id)),
  ];

  return {
    el,
    /** The composer's input changed. */
    typed(text) {
      if (!text.trim()) return;
      const now = Date.now();
      if (now - lastSent < SEND_EVERY_MS) return;
      if (actions.typing(circleId, chat)) lastSent = now;
    },
    destroy() {
      for (const off of offs) off();
      for (const t of typists.values()) clearTimeout(t.timer);
      typists.clear();
    },
  };
}
