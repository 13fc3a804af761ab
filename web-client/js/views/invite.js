// #/join/<circle>/<code>: an invite link opened in the browser. It asks before joining —
// a link is something anyone can send, and joining shows who you are to the circle.
// A public circle (or one you are in) shows its name; a private one answers only its
// members, so the page says that you were invited and shows the code.

import * as api from '../api.js';
import { busy, h, toast } from '../dom.js';
import { loadCircles } from '../loaders.js';
import * as state from '../store/state.js';

export function inviteView(container, circleId, code) {
  let gone = false;
  const heading = h('h1', { testid: 'invite-title', text: 'You were invited to a circle' });
  const about = h('p', { class: 'muted', testid: 'invite-about' });
  const join = h('button', {
    type: 'button', class: 'primary', testid: 'invite-join', text: 'Join',
    onclick: () => busy(join, async () => {
      await api.join(circleId, code);
      await loadCircles();
      location.replace(`#/c/${encodeURIComponent(circleId)}`);
    }),
  });
  const cancel = h('button', {
    type: 'button', testid: 'invite-cancel', text: 'Not now',
    onclick: () => { location.hash = '#/'; },
  });
  document.title = 'Invitation · Quanzi';
  container.replaceChildren(h('section', { class: 'card invite', testid: 'invite-page' },
    heading,
    about,
    h('p', {}, 'Access code: ', h('code', { testid: 'invite-code', text: code })),
    h('div', { class: 'actions' }, join, cancel)));

  const mine = state.circles.get(circleId);
  if (mine) {
    showCircle(mine, true);
  } else {
    api.circle(circleId).then((circle) => {
      if (!gone) showCircle(circle, false);
    }, (err) => {
      // A private circle (403) or an unknown one (404): joining will tell.
      if (!gone && err.status !== 403 && err.status !== 404) toast(err.message);
    });
  }

  function showCircle(circle, member) {
    heading.textContent = member
      ? `You are already in ${circle.name}`
      : `You were invited to join ${circle.name}`;
    about.textContent = [circle.kind, circle.visibility, circle.description].filter(Boolean).join(' · ');
    join.textContent = member ? 'Open the circle' : `Join ${circle.name}`;
  }

  return () => { gone = true; };
}
