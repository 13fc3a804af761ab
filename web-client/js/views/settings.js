// The settings tab. Everyone: their name in this circle, leaving it. Owners and admins:
// the circle's settings, its chat's rules (slow mode, admins only), access codes (generate,
// copy an invite link), members (search, role, mute, ban, remove) and the ban list.
// Settings changed elsewhere show at once, unless this form is being edited.

import * as api from '../api.js';
import { busy, copyText, field, fill, h, toast } from '../dom.js';
import { t } from '../i18n.js';
import * as state from '../store/state.js';
import { loadCircles } from '../loaders.js';
import { bansView } from './bans.js';
import { circleChatRules } from './chat-rules.js';
import { membersView } from './members.js';
import { userText } from './user-text.js';
import { EV } from '../store/names.js';

const SETTABLE = ['name', 'description', 'promote_threshold', 'retention_messages', 'retention_days', 'history_for_new_members'];

export function settingsView(circleId) {
  const body = h('div', { class: 'settings-body' });
  const el = h('section', { class: 'panel settings', testid: 'panel-settings', 'aria-label': t('manage.settings') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('manage.circleSettings') })), body);
  let info = state.infoOf(circleId) || {};
  let shown = info; // what the circle form was filled from
  let form = null;
  let dirty = false; // the form has been edited since it was filled
  const codes = [];
  const members = membersView(circleId);
  let bans = null; // owners and admins: the ban list

  function render() {
    const manager = state.isManager(circleId);
    form = manager ? circleForm() : null;
    if (manager && !bans) bans = bansView(circleId);
    fill(body,
      form,
      manager ? circleChatRules(circleId) : null,
      manager ? codesSection() : null,
      members.el,
      manager ? bans.el : null,
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
    const save = h('button', { type: 'submit', class: 'primary', testid: 'settings-save', text: t('manage.saveSettings') });
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
          saved.textContent = t('manage.saved');
        });
      },
    },
    h('h3', { text: t('manage.about') }),
    field(t('manage.name'), name),
    field(t('manage.description'), description),
    field(t('manage.threshold'), threshold, t('manage.thresholdHint')),
    field(t('manage.keepMessages'), keepMessages, t('manage.keepMessagesHint')),
    field(t('manage.keepDays'), keepDays),
    h('div', { class: 'field check' }, history, h('label', { for: ensureId(history), text: t('manage.history') })),
    h('div', { class: 'row' }, save, saved));
  }

  function codesSection() {
    const count = h('input', { testid: 'codes-count', type: 'number', min: '1', max: '100', value: '1' });
    const maxUses = h('input', { testid: 'codes-max-uses', type: 'number', min: '1', placeholder: t('manage.unlimited') });
    const generate = h('button', { type: 'submit', testid: 'codes-generate', text: t('manage.generate') });
    const list = h('ul', { class: 'codes', testid: 'codes-list', 'aria-label': t('manage.codeList') }, codes.map(codeItem));
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
    h('h3', { text: t('manage.codes') }),
    h('p', { class: 'muted small', text: info.visibility === 'private' ? t('manage.codesPrivate') : t('manage.codesPublic') }),
    h('div', { class: 'row wrap' }, field(t('manage.codesCount'), count), field(t('manage.codesUses'), maxUses), generate),
    list);
  }

  function inviteLink(code) {
    return `${location.origin}/#/join/${encodeURIComponent(circleId)}/${encodeURIComponent(code)}`;
  }

  function codeItem(code) {
    const link = inviteLink(code.code);
    const copy = h('button', {
      type: 'button', testid: 'code-copy', text: t('manage.copyLink'),
      onclick: async () => {
        const done = await copyText(link);
        copy.textContent = done ? t('manage.copied') : t('manage.copyByHand');
      },
    });
    return h('li', { testid: 'code-item', dataset: { code: code.code } },
      userText('code', code.code, { class: 'code', testid: 'code', title: t('manage.code') }),
      h('span', { class: 'muted small', text: code.max_uses ? t('manage.used', { uses: code.uses || 0, max: code.max_uses }) : t('manage.unlimitedUses') }),
      h('input', { class: 'invite-link', testid: 'invite-link', readonly: true, value: link, 'aria-label': t('manage.inviteLink'), onfocus: (e) => e.target.select() }),
      copy);
  }

  function mySection() {
    const mine = state.circles.get(circleId) || {};
    const nickname = h('input', { testid: 'nickname-input', maxlength: '32', value: mine.nickname || '', placeholder: state.session.user ? state.session.user.name : '' });
    const save = h('button', { type: 'submit', testid: 'nickname-save', text: t('manage.saveName') });
    const leave = h('button', {
      type: 'button', class: 'danger', testid: 'leave-circle', text: t('manage.leave'),
      onclick: () => {
        if (!window.confirm(t('manage.leaveAsk'))) return;
        busy(leave, async () => {
          await api.leave(circleId);
          await loadCircles();
          location.hash = '#/';
        });
      },
    });
    return h('section', { class: 'card', testid: 'my-membership' },
      h('h3', { text: t('manage.me') }),
      h('form', {
        class: 'row wrap',
        onsubmit: (event) => {
          event.preventDefault();
          busy(save, async () => {
            await api.updateMember(circleId, state.session.user.id, { nickname: nickname.value.trim() });
            await loadCircles();
            toast(t('manage.nameSaved'), 'info');
          });
        },
      }, field(t('manage.nickname'), nickname), save),
      leave);
  }

  let lastRole = state.roleIn(circleId);
  const offs = [
    state.on(EV.circlesChanged, () => {
      // Re-render only when the role changed (typing in a field must not be interrupted).
      const role = state.roleIn(circleId);
      if (role !== lastRole) {
        lastRole = role;
        render();
      }
    }),
    state.on(EV.circleInfo, (d) => d.circle === circleId && onInfo(d.info)),
  ];
  render();
  return {
    el,
    destroy() {
      for (const off of offs) off();
      members.destroy();
      if (bans) bans.destroy();
    },
    shown: () => members.shown(),
  };
}

function ensureId(control) {
  if (!control.id) control.id = `ctl-${Math.random().toString(36).slice(2, 9)}`;
  return control.id;
}
