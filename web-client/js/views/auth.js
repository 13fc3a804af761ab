// Log in or sign up. On success the token is kept in localStorage (the session survives a
// reload) and onDone() starts the app.

import * as api from '../api.js';
import { field, h } from '../dom.js';
import * as state from '../store/state.js';

export function authView(container, { onDone, mode: initialMode = 'login' }) {
  let mode = initialMode;

  const handle = h('input', {
    testid: 'auth-handle', name: 'handle', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', minlength: '3', maxlength: '32',
  });
  const password = h('input', {
    testid: 'auth-password', name: 'password', type: 'password', required: true, minlength: '8',
  });
  const name = h('input', { testid: 'auth-name', name: 'name', autocomplete: 'name', maxlength: '64' });
  const nameField = field('Your name (as others see it)', name);
  const error = h('p', { class: 'error', testid: 'auth-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'auth-submit' });
  const title = h('h1');
  const switcher = h('button', { type: 'button', class: 'link', testid: 'auth-switch', onclick: toggle });

  const form = h('form', { class: 'card auth', testid: 'auth-form', onsubmit: send, novalidate: false },
    title,
    field('Handle', handle, '3–32 characters: a–z, 0–9, _ . -'),
    field('Password', password, 'At least 8 characters'),
    nameField,
    error,
    h('div', { class: 'row' }, submit, switcher));

  function render() {
    const signup = mode === 'signup';
    title.textContent = signup ? 'Create your account' : 'Log in to Quanzi';
    submit.textContent = signup ? 'Sign up' : 'Log in';
    switcher.textContent = signup ? 'I already have an account' : 'New here? Create an account';
    nameField.hidden = !signup;
    name.required = signup;
    password.autocomplete = signup ? 'new-password' : 'current-password';
    form.dataset.mode = mode;
    error.textContent = '';
  }

  function toggle() {
    mode = mode === 'signup' ? 'login' : 'signup';
    render();
    handle.focus();
  }

  async function send(event) {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      const handleValue = handle.value.trim().toLowerCase();
      const result = mode === 'signup'
        ? await api.signup(handleValue, password.value, name.value.trim() || handleValue)
        : await api.login(handleValue, password.value);
      state.saveSession(result.token, result.user);
      api.setToken(result.token);
      onDone();
    } catch (err) {
      error.textContent = describe(err);
      submit.disabled = false;
    }
  }

  function describe(err) {
    if (err.code === 'conflict') return 'That handle is taken — pick another, or log in.';
    if (err.code === 'unauthenticated') return 'Wrong handle or password.';
    return err.message || 'Something went wrong.';
  }

  render();
  container.replaceChildren(h('section', { class: 'auth-page' },
    h('p', { class: 'tagline', text: 'Circles with live chat, and the highlights worth keeping.' }),
    form));
  handle.focus();
  return () => {};
}
