// The settings tab. Everyone: their name in this circle, leaving it, their reports. Owners
// and admins: the circle's settings (joining by approval too), its chat's rules (slow mode,
// admins only), join requests, access codes (codes.js), members (search, role, mute, ban,
// remove), the ban list, the moderation queue with its live open count; owners: the audit log
// and the whole circle's export (a ZIP).
// Settings changed elsewhere show at once, unless this form is being edited.

import * as api from '../api.js';
import { busy, copyText, field, fill, h, saveBlob, toast } from '../dom.js';
import { codesView, inviteLink } from './codes.js';
import { joinRequestsView } from './join-requests.js';
import { t } from '../i18n.js';
import * as state from '../store/state.js';
import { loadCircles } from '../loaders.js';
import { bansView } from './bans.js';
import { followersView } from './followers.js';
import { integrationsView } from './integrations.js';
import { circleChatRules } from './chat-rules.js';
import { membersView } from './members.js';
import { sectionsPanel } from './sections.js';
import { moderationLinks } from './moderation-links.js';
import { notifyLevel } from './notify-level.js';
import { EV } from '../store/names.js';
import { mustReadMailSwitch } from './reach.js';

const SETTABLE = ['name', 'description', 'promote_threshold', 'retention_messages', 'retention_days', 'history_for_new_members', 'join_approval', 'join_question'];

export function settingsView(circleId) {
  const body = h('div', { class: 'settings-body' });
  const el = h('section', { class: 'panel settings', testid: 'panel-settings', 'aria-label': t('manage.settings') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('manage.circleSettings') })), body);
  let info = state.infoOf(circleId) || {};
  let shown = info; // what the circle form was filled from
  let form = null;
  let dirty = false; // the form has been edited since it was filled
  const members = membersView(circleId);
  let requests = null;
  const moderation = moderationLinks(circleId);
  let bans = null; // owners and admins: the ban list
  let followers = null; // owners and admins of a public circle: its followers
  let sections = null; // owners: the Sections panel (views/sections.js)
  let integrations = null; // owners and admins: webhooks, incoming hooks, bots

  function render() {
    const manager = state.isManager(circleId);
    form = manager ? circleForm() : null;
    sections = state.roleIn(circleId) === 'owner' ? sectionsPanel(circleId, info) : null;
    if (requests) requests.destroy();
    requests = manager && info.visibility === 'private' ? joinRequestsView(circleId) : null;
    if (manager && !bans) bans = bansView(circleId);
    if (manager && info.visibility === 'public' && !followers) followers = followersView(circleId, info.follower_count || 0);
    if (manager && !integrations) integrations = integrationsView(circleId);
    fill(body,
      form,
      sections && sections.el,
      state.roleIn(circleId) === 'owner' ? mustReadMailSwitch(circleId) : null,
      manager ? circleChatRules(circleId) : null,
      requests && requests.el,
      manager ? codesView(circleId, info) : null,
      moderation.render(),
      members.el,
      manager ? bans.el : null,
      manager && followers ? followers.el : null,
      notifyLevel(circleId),
      manager ? integrations.el : null,
      mySection());
  }

  /** New settings from elsewhere: refill the form unless someone is editing it. */
  function onInfo(next) {
    info = next;
    if (sections) sections.onInfo(next);
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
    const approval = h('input', { testid: 'settings-join-approval', type: 'checkbox', checked: Boolean(info.join_approval) });
    const question = h('input', { testid: 'settings-join-question', maxlength: '500', value: info.join_question || '', placeholder: t('joining.questionHint') });
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
        if (info.visibility === 'private') {
          changes.join_approval = approval.checked;
          changes.join_question = question.value.trim();
        }
        if (keepMessages.value !== '') changes.retention_messages = Number(keepMessages.value);
        if (keepDays.value !== '') changes.retention_days = Number(keepDays.value);
        const wasTaking = Boolean(info.join_approval);
        busy(save, async () => {
          const updated = await api.updateCircle(circleId, changes);
          info = { ...info, ...updated };
          shown = info;
          dirty = false;
          state.setCircleInfo(circleId, updated);
          // Turning approval on or off shows or hides the request link and the requests.
          if (Boolean(updated.join_approval) !== wasTaking) render();
          body.querySelector('[data-testid="settings-saved"]').textContent = t('manage.saved');
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
    info.visibility === 'private' ? approvalFields(approval, question) : null,
    h('div', { class: 'row' }, save, saved));
  }

  /** A private circle may take join requests: the switch, the question, the request link. */
  function approvalFields(approval, question) {
    const link = inviteLink(circleId);
    return h('fieldset', { class: 'joining', testid: 'settings-joining' },
      h('div', { class: 'field check' }, approval, h('label', { for: ensureId(approval), text: t('joining.approval') })),
      field(t('joining.question'), question, t('joining.approvalHint')),
      info.join_approval
        ? h('div', { class: 'row wrap' },
          h('input', { class: 'invite-link', testid: 'request-link', readonly: true, value: link, 'aria-label': t('joining.requestLink'), onfocus: (e) => e.target.select() }),
          h('button', { type: 'button', testid: 'request-link-copy', text: t('joining.copyRequestLink'), onclick: () => copyText(link) }))
        : null);
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
    // An owner takes everything away (leaving the platform, archiving a cohort): one ZIP.
    const exportAll = state.roleIn(circleId) === 'owner' ? h('button', {
      type: 'button', testid: 'export-circle', text: t('manage.exportCircle'), title: t('manage.exportCircleAbout'),
      onclick: () => busy(exportAll, async () => {
        saveBlob(await api.circleExport(circleId), `quanzi-circle-${circleId}.zip`);
        toast(t('manage.circleExported'), 'info');
      }),
    }) : null;
    // An owner deletes the circle, typing its name to confirm (a step no stray click takes).
    const remove = state.roleIn(circleId) === 'owner' ? h('button', {
      type: 'button', class: 'danger', testid: 'delete-circle', text: t('manage.deleteCircle'),
      onclick: () => {
        const name = (state.infoOf(circleId) || mine).name || '';
        const typed = window.prompt(t('manage.deleteCircleAsk', { name }));
        if (typed === null) return;
        busy(remove, async () => {
          await api.deleteCircle(circleId, typed.trim());
          await loadCircles();
          location.hash = '#/';
        });
      },
    }) : null;
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
      leave, exportAll, remove);
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
      if (requests) requests.destroy();
      moderation.destroy();
      if (bans) bans.destroy();
      if (followers) followers.destroy();
    },
    shown: () => {
      members.shown();
      if (followers) followers.shown(); // follows are not pushed to managers: read again
      if (integrations) integrations.shown(); // deliveries are not pushed: read again
    },
  };
}

function ensureId(control) {
  if (!control.id) control.id = `ctl-${Math.random().toString(36).slice(2, 9)}`;
  return control.id;
}
