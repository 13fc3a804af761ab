// The "live now" banner: on every page (the home page, a circle on any tab), one line per
// live lesson of my circles with a button that opens its player over the page (a frame for
// an embeddable player, else a link to the stream) and a link to its circle. It follows the
// lessons store (loaded after every welcome, kept by lesson.live / lesson.ended). Reminders
// before a lesson are personal `reminder` events, toasted by views/reminders.js.

import * as api from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as lessons from '../store/lessons.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { playerEl } from './lesson-player.js';
import { userText } from './user-text.js';

/** Put the banner before `main` and keep it current; returns a function that removes it. */
export function mountLiveBanner(main) {
  const banner = h('aside', { class: 'live-banner', testid: 'live-banner', hidden: true, 'aria-live': 'polite', 'aria-label': t('lesson.liveNow') });
  const overlay = h('div', { class: 'live-overlay', testid: 'live-overlay', hidden: true, role: 'dialog', 'aria-modal': 'true' });
  main.before(banner);
  document.body.append(overlay);

  function draw() {
    const live = state.session.token ? lessons.liveLessons() : [];
    banner.hidden = live.length === 0;
    banner.replaceChildren(...live.map((lesson) => h('div', { class: 'live-item', testid: 'live-item', dataset: { lesson: lesson.id, circle: lesson.circle } },
      h('span', { class: 'live-dot', 'aria-hidden': 'true' }),
      h('strong', { class: 'live-label', text: t('lesson.liveNow') }),
      userText('span', lesson.title, { class: 'live-title grow', testid: 'live-title' }),
      h('a', { class: 'live-circle small', href: `#/c/${encodeURIComponent(lesson.circle)}`, text: circleName(lesson) }),
      h('button', { type: 'button', class: 'primary live-watch', testid: 'live-watch', text: t('lesson.watch'), onclick: () => open(lesson) }))));
    if (!overlay.hidden && !live.some((lesson) => lesson.id === overlay.dataset.lesson)) close();
  }

  function open(lesson) {
    overlay.dataset.lesson = lesson.id;
    const shut = h('button', { type: 'button', class: 'live-close', testid: 'live-close', text: t('common.close'), onclick: close });
    overlay.replaceChildren(h('div', { class: 'live-sheet card' },
      h('div', { class: 'row' }, userText('h2', lesson.title, { class: 'grow' }), shut),
      playerEl(lesson) || h('p', { class: 'muted', text: t('lesson.noStream') })));
    overlay.hidden = false;
    shut.focus();
    api.lessonSeen(lesson.id).catch(() => {});
  }

  function close() {
    overlay.hidden = true;
    overlay.replaceChildren(); // stops a playing frame
  }

  const offs = [
    state.on(EV.liveLessons, draw),
    state.on(EV.circlesChanged, draw),
    state.on(EV.connection, (d) => {
      if (d.state === 'online' && state.session.token) lessons.loadLive().catch(() => {});
    }),
    state.on(EV.left, (d) => lessons.leftCircle(d.circle)),
    state.on(EV.sessionCleared, () => {
      lessons.forget();
      close();
    }),
  ];
  overlay.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });
  draw();
  return () => {
    for (const off of offs) off();
    banner.remove();
    overlay.remove();
  };
}

function circleName(lesson) {
  return lesson.circle_name || state.circles.get(lesson.circle)?.name || '';
}
