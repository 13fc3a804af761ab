// #/join/<circle>/<code>: an invite link opened in the browser while logged in. It asks
// before joining — a link is something anyone can send, and joining shows who you are to
// the circle. It shows the circle as GET /circles/{id}/invite does (a private one too, with
// a code that would admit); otherwise that you were invited, and the code.
// (Logged out, the sign-up page shows the circle first: auth.js.)

import * as api from '../api.js';
import { busy, h } from '../dom.js';
import { t } from '../i18n.js';
import { loadCircles } from '../loaders.js';
import * as state from '../store/state.js';
import { avatarEl } from './avatar.js';

export function inviteView(container, circleId, code) {
  let gone = false;
  const heading = h('h1', { testid: 'invite-title', text: t('home.joinTitleUnknown') });
  const about = h('p', { class: 'muted', testid: 'invite-about' });
  const badge = h('span', { class: 'join-avatar' });
  const join = h('button', {
    type: 'button', class: 'primary', testid: 'invite-join', text: t('home.joinPlain'),
    onclick: () => busy(join, async () => {
      if (!state.circles.has(circleId)) await api.join(circleId, code);
      await loadCircles();
      location.replace(`#/c/${encodeURIComponent(circleId)}`);
    }),
  });
  const cancel = h('button', {
    type: 'button', testid: 'invite-cancel', text: t('home.notNow'),
    onclick: () => { location.hash = '#/'; },
  });
  document.title = `${t('home.invitePage')} · ${t('app.title')}`;
  container.replaceChildren(h('section', { class: 'card invite', testid: 'invite-page' },
    h('div', { class: 'join-head' }, badge, heading),
    about,
    h('p', {}, t('home.accessCode'), ' ', h('code', { testid: 'invite-code', text: code })),
    h('div', { class: 'actions' }, join, cancel)));

  const mine = state.circles.get(circleId);
  if (mine) {
    showCircle(mine, true);
  } else {
    api.invitePreview(circleId, code).then((circle) => {
      if (!gone) showCircle(circle, state.circles.has(circleId));
    }, () => {
      // Unknown, or private without a code that admits: joining will say why.
    });
  }

  function showCircle(circle, member) {
    const count = circle.member_count ?? circle.members;
    heading.textContent = member
      ? t('home.alreadyIn', { name: circle.name })
      : t('home.invitedTo', { name: circle.name });
    badge.replaceChildren(avatarEl({ id: circle.id || circleId, name: circle.name }, { size: 'lg' }));
    about.textContent = [
      circle.kind ? t(`kind.${circle.kind}`) : null,
      circle.visibility ? t(`visibility.${circle.visibility}`) : null,
      count == null ? null : t('home.members', { count }),
      circle.description,
    ].filter(Boolean).join(' · ');
    join.textContent = member ? t('home.openCircle') : t('home.joinNamed', { name: circle.name });
  }

  return () => { gone = true; };
}
