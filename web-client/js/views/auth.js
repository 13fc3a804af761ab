// Log in or sign up. On success the token is kept in localStorage (the session survives a
// reload) and onDone() starts the app.
//
// Sign-up asks for what a Chinese user expects (README, "Sign-up"): a display name (昵称, any
// script, emoji) that others see, and a login name (登录名: letters, digits, _ . -; a phone
// number works) with a password. Refusals are the server's reasons, translated.
//
// Opened from an invite link (#/join/<circle>/<code>) while logged out, the page first shows
// the circle (name, description, members, kind) and, once signed up or logged in, joins it
// and lands in it.

import * as api from '../api.js';
import { field, h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import * as state from '../store/state.js';
import { avatarEl } from './avatar.js';

const HANDLE = /^[A-Za-z0-9_.-]{3,32}$/;
const HANDLE_LIMITS = { min: 3, max: 32 };
const PASSWORD_MIN = 8;
const NAME_MAX = 64;

/** The invite of a #/join/<circle>/<code> address (or #/join/<circle>: a request link), or null. */
export function inviteOfHash(hash) {
  const match = String(hash || '').match(/^#\/join\/([^/?]+)(?:\/([^/?]+))?/);
  return match ? { circle: decodeURIComponent(match[1]), code: match[2] ? decodeURIComponent(match[2]) : '' } : null;
}

/** What is wrong with the sign-up fields before asking the server (its reasons' keys), or null. */
export function checkSignup({ handle, password, name }) {
  if (!name.trim()) return { reason: 'name_required' };
  if ([...name.trim()].length > NAME_MAX) return { reason: 'name_too_long', params: { max: NAME_MAX } };
  if (!HANDLE.test(handle)) return { reason: 'handle_invalid', params: HANDLE_LIMITS };
  if (password.length < PASSWORD_MIN) return { reason: 'password_too_short', params: { min: PASSWORD_MIN } };
  return null;
}

/** The logged-out page; an invite link opened in it (a hash change) shows its circle. */
export function authView(container, options) {
  const keyOf = () => JSON.stringify(inviteOfHash(location.hash));
  let shown = keyOf();
  let stop = authPage(container, options);
  const onHash = () => {
    if (keyOf() === shown) return;
    shown = keyOf();
    stop();
    stop = authPage(container, options);
  };
  window.addEventListener('hashchange', onHash);
  return () => {
    window.removeEventListener('hashchange', onHash);
    stop();
  };
}

function authPage(container, { onDone, mode: initialMode = 'login' }) {
  const invite = inviteOfHash(location.hash);
  let mode = invite ? 'signup' : initialMode;

  const name = h('input', {
    testid: 'auth-name', name: 'name', autocomplete: 'nickname', maxlength: String(NAME_MAX),
  });
  const handle = h('input', {
    testid: 'auth-handle', name: 'handle', autocomplete: 'username', required: true,
    autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false', maxlength: '32',
  });
  const password = h('input', {
    testid: 'auth-password', name: 'password', type: 'password', required: true,
  });
  const nameField = field(t('home.displayName'), name, t('home.displayNameHint'));
  const handleField = field(t('home.loginName'), handle);
  const handleHint = h('small', { class: 'hint', text: t('home.loginNameHint') });
  handleField.append(handleHint);
  const passwordField = field(t('home.password'), password);
  const passwordHint = h('small', { class: 'hint', text: t('home.passwordHint', { min: PASSWORD_MIN }) });
  passwordField.append(passwordHint);
  const error = h('p', { class: 'error', testid: 'auth-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'auth-submit' });
  const title = h('h1');
  const switcher = h('button', { type: 'button', class: 'link', testid: 'auth-switch', onclick: toggle });

  const form = h('form', { class: 'card auth', testid: 'auth-form', onsubmit: send, novalidate: true },
    title,
    nameField,
    handleField,
    passwordField,
    error,
    h('div', { class: 'row wrap' }, submit, switcher));

  function render() {
    const signup = mode === 'signup';
    title.textContent = signup ? t('home.signupTitle') : t('home.loginTitle');
    if (invite) submit.textContent = signup ? t('home.joinAfter') : t('home.loginAfter');
    else submit.textContent = signup ? t('home.signupSubmit') : t('home.loginSubmit');
    switcher.textContent = signup ? t('home.toLogin') : t('home.toSignup');
    nameField.hidden = !signup;
    handleHint.hidden = !signup;
    passwordHint.hidden = !signup;
    name.required = signup;
    password.autocomplete = signup ? 'new-password' : 'current-password';
    form.dataset.mode = mode;
    error.textContent = '';
  }

  function toggle() {
    mode = mode === 'signup' ? 'login' : 'signup';
    render();
    (mode === 'signup' ? name : handle).focus();
  }

  async function send(event) {
    event.preventDefault();
    error.textContent = '';
    const handleValue = handle.value.trim().toLowerCase();
    if (mode === 'signup') {
      const wrong = checkSignup({ handle: handleValue, password: password.value, name: name.value });
      if (wrong) {
        error.textContent = errorText(wrong);
        return;
      }
    } else if (!handleValue || !password.value) {
      error.textContent = t('home.fillIn');
      return;
    }
    submit.disabled = true;
    let result;
    try {
      result = mode === 'signup'
        ? await api.signup(handleValue, password.value, name.value.trim())
        : await api.login(handleValue, password.value);
    } catch (err) {
      error.textContent = errorText(err);
      submit.disabled = false;
      return;
    }
    state.saveSession(result.token, result.user);
    api.setToken(result.token);
    if (invite) await joinInvited();
    onDone();
  }

  /** Signed up or logged in from an invite link: join, and land in the circle. When the
   * join is refused the invite page (logged in) shows it again with its Join button. */
  async function joinInvited() {
    try {
      await api.join(invite.circle, invite.code);
      location.replace(`#/c/${encodeURIComponent(invite.circle)}`);
    } catch {
      // the invite page says why when its Join is clicked
    }
  }

  render();
  const page = h('section', { class: 'auth-page', testid: 'auth-page' },
    invite ? invitePreview(invite) : h('p', { class: 'tagline', text: t('home.tagline') }),
    form);
  container.replaceChildren(page);
  (mode === 'signup' ? name : handle).focus();
  return () => {};
}

/** The circle an invite link invites to, as the server shows it to anyone with the link. */
function invitePreview(invite) {
  const title = h('h1', { class: 'join-title', testid: 'join-title', text: t('home.joinTitleUnknown') });
  const about = h('p', { class: 'join-description', testid: 'join-description', hidden: true });
  const meta = h('p', { class: 'muted small join-meta', testid: 'join-meta', hidden: true });
  const next = h('p', { class: 'join-next', testid: 'join-next', text: t('home.joinNext') });
  const badge = h('span', { class: 'join-avatar' });
  const card = h('section', { class: 'card join-card', testid: 'join-card', 'aria-live': 'polite' },
    h('div', { class: 'join-head' }, badge, h('div', { class: 'join-heading' }, title, meta)), about, next);
  api.invitePreview(invite.circle, invite.code).then((circle) => {
    title.textContent = t('home.joinTitle', { name: circle.name });
    badge.replaceChildren(avatarEl({ id: circle.id, name: circle.name }, { size: 'lg' }));
    meta.textContent = [
      t(`kind.${circle.kind}`),
      t(`visibility.${circle.visibility}`),
      t('home.members', { count: circle.member_count }),
    ].join(' · ');
    meta.hidden = false;
    about.textContent = circle.description || '';
    about.hidden = !circle.description;
  }, () => {
    next.textContent = t('home.joinGone');
    card.dataset.gone = 'true';
  });
  return card;
}
