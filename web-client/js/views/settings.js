// The settings tab. Everyone: their name in this circle, leaving it. Owners and admins:
// the circle's settings, access codes (generate, copy an invite link), members (remove).
// Settings changed elsewhere show at once, unless this form is being edited.

import * as api from '../api.js';
import { busy, copyText, field, fill, h, toast } from '../dom.js';
import * as state from '../store/state.js';
import { loadCircles } from '../loaders.js';
import { membersView } from './members.js';

const SETTABLE = ['name', 'description', 'promote_threshold', 'retention_messages', 'retention_days', 'history_for_new_members'];

export function settingsView(circleId) {
  const body = h('div', { class: 'settings-body' });
  const el = h('section', { class: 'panel settings', testid: 'panel-settings', 'aria-label': 'Settings' },
    h('div', { class: 'panel-head' }, h('h2', { text: 'Circle settings' })), body);
  let info = state.infoOf(circleId) || {};
  let shown = info; // what the circle form was filled from
  let form = null;
  let dirty = false; // the form has been edited since it was filled
  const codes = [];
  const members = membersView(circleId);

  function render() {
    const manager = state.isManager(circleId);
    form = manager ? circleForm() : null;
    fill(body,
      form,
      manager ? codesSection() : null,
      members.el,
      mySection());
  }

  /** New settings from elsewhere: refill the form unless someone is editing it. */
  function onInfo(next) {
    info = next;
    if (!form || dirty || SETTABLE.every((key) => (next[key] ?? null) === (shown[key] ?? null))) return;
    const fresh = circleForm();
    form.replaceWith(fresh);
    form = fresh;
  }

  function circleForm() {
    const name = h('input', { testid: 'settings-name', value: info.name, required: true, maxlength: '80' });
    const description = h('textarea', { testid: 'settings-description', rows: '3', maxlength: '2000', value: info.description || '' });
    const threshold = h('input', { testid: 'settings-threshold', type: 'number', min: '0', max: '1000', value: String(info.promote_threshold ?? 3) });
    const keepMessages = h('input', { testid: 'settings-retention-messages', type: 'number', min: '100', value: info.retention_messages == null ? '' : String(info.retention_messages) });
    const keepDays = h('input', { testid: 'settings-retention-days', type: 'number', min: '1', max: '3650', value: info.retention_days == null ? '' : String(info.retention_days) });
    const history = h('input', { testid: 'settings-history', type: 'checkbox', checked: Boolean(info.history_for_new_members) });
    const save = h('button', { type: 'submit', class: 'primary', testid: 'settings-save', text: 'Save settings' });
    const saved = h('span', { class: 'muted', testid: 'settings-saved', role: 'status' });
    shown = info;
    dirty = false;
    return h('form', {
      class: 'card', testid: 'settings-form',
      oninput: () => {
        dirty = true;
        saved.textContent = '';
      },
      onsubmit: (event) => {
        event.preventDefault();
        const changes = {
          name: name.value.trim(),
          description: description.value,
          promote_threshold: Number(threshold.value),
          history_for_new_members: history.checked,
        };
        if (keepMessages.value !== '') changes.retention_messages = Number(keepMessages.value);
        if (keepDays.value !== '') changes.retention_days = Number(keepDays.value);
        busy(save, async () => {
          const updated = await api.updateCircle(circleId, changes);
          info = { ...info, ...updated };
          shown = info;
          dirty = false;
          state.setCircleInfo(circleId, updated);
          saved.textContent = 'Saved.';
        });
      },
    },
    h('h3', { text: 'About this circle' }),
    field('Name', name),
    field('Description', description),
    field('Stars needed to promote a message', threshold, '0 turns promotion by members’ stars off; your own star always promotes.'),
    field('Keep at most this many chat messages', keepMessages, 'Highlights are never deleted. Empty: the server’s default.'),
    field('Keep chat messages for (days)', keepDays),
    h('div', { class: 'field check' }, history, h('label', { for: ensureId(history), text: 'New members see the chat from before they joined' })),
    h('div', { class: 'row' }, save, saved));
  }

  function codesSection() {
    const count = h('input', { testid: 'codes-count', type: 'number', min: '1', max: '100', value: '1' });
    const maxUses = h('input', { testid: 'codes-max-uses', type: 'number', min: '1', placeholder: 'unlimited' });
    const generate = h('button', { type: 'submit', testid: 'codes-generate', text: 'Generate access code' });
    const list = h('ul', { class: 'codes', testid: 'codes-list' }, codes.map(codeItem));
    return h('form', {
      class: 'card', testid: 'codes-form',
      onsubmit: (event) => {
        event.preventDefault();
        busy(generate, async () => {
          const reply = await api.createCodes(circleId, Number(count.value) || 1, Number(maxUses.value) || undefined);
          codes.unshift(...reply.codes);
          render();
          document.querySelector('[data-testid="code-copy"]')?.focus();
        });
      },
    },
    h('h3', { text: 'Access codes' }),
    h('p', { class: 'muted small', text: info.visibility === 'private'
      ? 'This circle is private: people join with an invite link that carries a code.'
      : 'This circle is public: anyone can join from the directory; codes are not needed.' }),
    h('div', { class: 'row wrap' }, field('How many', count), field('Uses per code', maxUses), generate),
    list);
  }

  function inviteLink(code) {
    return `${location.origin}/#/join/${encodeURIComponent(circleId)}/${encodeURIComponent(code)}`;
  }

  function codeItem(code) {
    const link = inviteLink(code.code);
    const copy = h('button', {
      type: 'button', testid: 'code-copy', text: 'Copy invite link',
      onclick: async () => {
        const done = await copyText(link);
        copy.textContent = done ? 'Copied!' : 'Select and copy the link';
      },
    });
    return h('li', { testid: 'code-item', dataset: { code: code.code } },
      h('code', { class: 'code', testid: 'code', text: code.code }),
      h('span', { class: 'muted small', text: code.max_uses ? `${code.uses || 0}/${code.max_uses} used` : 'unlimited uses' }),
      h('input', { class: 'invite-link', testid: 'invite-link', readonly: true, value: link, 'aria-label': 'Invite link', onfocus: (e) => e.target.select() }),
      copy);
  }

  function mySection() {
    const mine = state.circles.get(circleId) || {};
    const nickname = h('input', { testid: 'nickname-input', maxlength: '32', value: mine.nickname || '', placeholder: state.session.user ? state.session.user.name : '' });
    const save = h('button', { type: 'submit', testid: 'nickname-save', text: 'Save name' });
    const leave = h('button', {
      type: 'button', class: 'danger', testid: 'leave-circle', text: 'Leave this circle',
      onclick: () => {
        if (!window.confirm('Leave this circle?')) return;
        busy(leave, async () => {
          await api.leave(circleId);
          await loadCircles();
          location.hash = '#/';
        });
      },
    });
    return h('section', { class: 'card', testid: 'my-membership' },
      h('h3', { text: 'You in this circle' }),
      h('form', {
        class: 'row wrap',
        onsubmit: (event) => {
          event.preventDefault();
          busy(save, async () => {
            await api.updateMember(circleId, state.session.user.id, { nickname: nickname.value.trim() });
            await loadCircles();
            toast('Your name in this circle is saved.', 'info');
          });
        },
      }, field('Your name here (empty: your account name)', nickname), save),
      leave);
  }

  let lastRole = state.roleIn(circleId);
  const offs = [
    state.on('circles', () => {
      // Re-render only when the role changed (typing in a field must not be interrupted).
      const role = state.roleIn(circleId);
      if (role !== lastRole) {
        lastRole = role;
        render();
      }
    }),
    state.on('circle-info', (d) => d.circle === circleId && onInfo(d.info)),
  ];
  render();
  return {
    el,
    destroy() {
      for (const off of offs) off();
      members.destroy();
    },
    shown: () => members.shown(),
  };
}

function ensureId(control) {
  if (!control.id) control.id = `ctl-${Math.random().toString(36).slice(2, 9)}`;
  return control.id;
}
