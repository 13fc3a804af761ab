// #/join/<circle>/<code>: an invite link opened in the browser while logged in. It asks
// before joining — a link is something anyone can send, and joining shows who you are to
// the circle. It shows the circle as GET /circles/{id}/invite does (a private one too, with
// a code that would admit); otherwise that you were invited, and the code.
// #/join/<circle> (or a code that does not admit) of a private circle that takes join
// requests: the circle's question, an answer, "Ask to join", then "Requested — waiting for
// approval" until an owner or admin decides (an approval brings the circle in, live).
// A public circle I am not in can be followed from here too (views/following.js).
// (Logged out, the sign-up page shows the circle first: auth.js.)

import * as api from '../api.js';
import { busy, field, h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { loadCircles } from '../loaders.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { avatarEl } from './avatar.js';
import { followButton } from './following.js';
import { userText } from './user-text.js';

export function inviteView(container, circleId, code) {
  let gone = false;
  const heading = h('h1', { testid: 'invite-title', text: t('home.joinTitleUnknown') });
  const about = h('p', { class: 'muted', testid: 'invite-about' });
  const badge = h('span', { class: 'join-avatar' });
  const join = h('button', {
    type: 'button', class: 'primary', testid: 'invite-join', text: t('home.joinPlain'),
    onclick: () => busy(join, async () => {
      if (!state.circles.has(circleId)) await api.join(circleId, code);
      openCircle();
    }),
  });
  const cancel = h('button', {
    type: 'button', testid: 'invite-cancel', text: t('home.notNow'),
    onclick: () => { location.hash = '#/'; },
  });
  const asking = h('div', { class: 'join-request', testid: 'join-request-form', hidden: true });
  const followSlot = h('span', { class: 'invite-follow' });
  document.title = `${t('home.invitePage')} · ${t('app.title')}`;
  container.replaceChildren(h('section', { class: 'card invite', testid: 'invite-page' },
    h('div', { class: 'join-head' }, badge, heading),
    about,
    code ? h('p', {}, t('home.accessCode'), ' ', h('code', { testid: 'invite-code', text: code })) : null,
    asking,
    h('div', { class: 'actions' }, join, followSlot, cancel)));

  async function openCircle() {
    await loadCircles();
    location.replace(`#/c/${encodeURIComponent(circleId)}`);
  }

  const mine = state.circles.get(circleId);
  if (mine) {
    showCircle(mine, true);
  } else {
    api.invitePreview(circleId, code).then((circle) => {
      if (gone) return;
      showCircle(circle, state.circles.has(circleId));
      if (!circle.code_admits && circle.join_approval) askView(circle);
    }, () => {
      // Unknown, or private without a code that admits: joining will say why.
    });
  }

  /** The road without a code: ask, then wait for the decision. */
  function askView(circle) {
    join.hidden = true;
    asking.hidden = false;
    const answer = h('textarea', { testid: 'join-answer', rows: '2', maxlength: '1000' });
    const ask = h('button', {
      type: 'button', class: 'primary', testid: 'join-ask', text: t('joining.ask'),
      onclick: () => busy(ask, async () => showRequest(await api.askToJoin(circleId, answer.value.trim()))),
    });
    const form = h('div', { testid: 'join-ask-form' },
      circle.join_question ? userText('p', circle.join_question, { class: 'question', testid: 'join-question' }) : null,
      field(t('joining.answer'), answer), ask);
    const status = h('p', { class: 'muted', testid: 'join-request-state', role: 'status' });
    asking.replaceChildren(form, status);

    function showRequest(request) {
      const waiting = request.state === 'pending';
      form.hidden = waiting;
      status.textContent = waiting ? t('joining.requested')
        : request.state === 'rejected' ? t('joining.rejected', { reason: request.reason || '—' }) : '';
    }
    api.myJoinRequest(circleId).then((request) => !gone && showRequest(request), (err) => {
      if (err.code !== 'not_found') status.textContent = errorText(err);
    });
  }

  // An approval arrives as member.joined: the circle list refreshes, and this page opens it.
  const off = state.on(EV.circlesChanged, () => {
    if (!gone && !mine && state.circles.has(circleId)) location.replace(`#/c/${encodeURIComponent(circleId)}`);
  });

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
    // Follow without joining: a public circle's posts and highlights, not its chat.
    if (!member && circle.visibility === 'public') followSlot.replaceChildren(followButton({ ...circle, id: circleId }));
    else followSlot.replaceChildren();
  }

  return () => {
    gone = true;
    off();
  };
}
