// Managing chat groups: the new-group form (the circle's owners and admins) and a group's
// admin panel — name, topic, cap, read-only and slow mode (its admins); access, place in the list and
// archive (the circle's owners and admins); members with their roles, requests waiting,
// adding a member of the circle. Every change comes back to everyone as a group.* event.

import * as api from '../api.js';
import { busy, field, fill, h, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import * as groups from '../store/groups.js';
import * as state from '../store/state.js';
import { slowModeSelect } from './chat-rules.js';
import { sentence, userText } from './user-text.js';
import { EV } from '../store/names.js';

// Read when a form is drawn, so a switch of language shows at the next render.
const TEXT = {
  get newGroup() { return t('manage.newGroup'); },
  get name() { return t('manage.groupName'); },
  get topic() { return t('manage.topic'); },
  get access() { return t('manage.access'); },
  get accessOpen() { return t('manage.accessOpen'); },
  get accessRequest() { return t('manage.accessRequest'); },
  get accessInvite() { return t('manage.accessInvite'); },
  get cap() { return t('manage.cap'); },
  get capHint() { return t('manage.capHint'); },
  get readOnly() { return t('manage.readOnly'); },
  get slowMode() { return t('manage.slowMode'); },
  get slowModeHint() { return t('manage.slowModeHint'); },
  get create() { return t('manage.createGroup'); },
  get cancel() { return t('common.cancel'); },
  get close() { return t('manage.backToChat'); },
  get save() { return t('common.save'); },
  get saved() { return t('manage.saved'); },
  get archive() { return t('manage.archive'); },
  archiveAsk: (name) => t('manage.archiveAsk', { name }),
  get up() { return t('manage.groupUp'); },
  get down() { return t('manage.groupDown'); },
  get place() { return t('manage.groupPlace'); },
  members: (count) => t('manage.groupMembers', { count }),
  get requests() { return t('manage.requests'); },
  get approve() { return t('manage.approve'); },
  get decline() { return t('manage.decline'); },
  get remove() { return t('common.remove'); },
  get makeAdmin() { return t('manage.makeAdmin'); },
  get makeMember() { return t('manage.makeMember'); },
  get admin() { return t('role.admin'); },
  get add() { return t('manage.add'); },
  get addMember() { return t('manage.addMember'); },
  get nobody() { return t('manage.nobody'); },
  get generalMembers() { return t('manage.generalMembers'); },
};

function accessSelect(value) {
  return h('select', { testid: 'group-access' },
    [['open', TEXT.accessOpen], ['request', TEXT.accessRequest], ['invite', TEXT.accessInvite]]
      .map(([v, label]) => h('option', { value: v, text: label, selected: v === value })));
}

function capInput(value) {
  return h('input', { type: 'number', min: '2', max: '1000000', testid: 'group-cap', value: value ? String(value) : '' });
}

/** The new-group form; done(group) after creating it, done(null) on cancel. */
export function newGroupForm(circleId, done) {
  const name = h('input', { testid: 'group-name-input', maxlength: '64', required: true, autocomplete: 'off' });
  const topic = h('input', { testid: 'group-topic-input', maxlength: '500', autocomplete: 'off' });
  const access = accessSelect('open');
  const cap = capInput(null);
  const readOnly = h('input', { type: 'checkbox', testid: 'group-readonly' });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'group-create', text: TEXT.create });
  const form = h('form', {
    class: 'group-form', testid: 'group-form',
    onsubmit: (event) => {
      event.preventDefault();
      if (!name.value.trim()) return;
      busy(submit, async () => {
        const fields = { name: name.value.trim(), access: access.value, read_only: readOnly.checked };
        if (topic.value.trim()) fields.topic = topic.value.trim();
        if (cap.value) fields.max_members = Number(cap.value);
        const { group } = await api.createGroup(circleId, fields);
        groups.putGroup(circleId, group);
        groups.setStanding(circleId, group.id, { role: 'admin', approved: true });
        done(group);
      });
    },
  },
  h('h3', { text: TEXT.newGroup }),
  field(TEXT.name, name),
  field(TEXT.topic, topic),
  field(TEXT.access, access),
  field(TEXT.cap, cap, TEXT.capHint),
  h('label', { class: 'check' }, readOnly, ` ${TEXT.readOnly}`),
  h('div', { class: 'row' }, submit,
    h('button', { type: 'button', class: 'link', text: TEXT.cancel, onclick: () => done(null) })));
  queueMicrotask(() => name.focus());
  return form;
}

/** A group's admin panel (the group's admins; the circle's owners and admins). */
export function adminPanel(circleId, groupId, { onClose }) {
  const manager = state.isManager(circleId);
  const group = groups.groupOf(circleId, groupId);
  if (!group) return h('p', { class: 'muted', text: '…' });
  const name = h('input', { testid: 'group-name-input', maxlength: '64', value: group.name, autocomplete: 'off' });
  const topic = h('input', { testid: 'group-topic-input', maxlength: '500', value: group.topic || '', autocomplete: 'off' });
  const access = accessSelect(group.access);
  const cap = capInput(group.max_members);
  const readOnly = h('input', { type: 'checkbox', testid: 'group-readonly', checked: Boolean(group.read_only) });
  const slowMode = slowModeSelect(group.slow_mode_s || 0);
  const save = h('button', { type: 'submit', class: 'primary', testid: 'group-save', text: TEXT.save });
  const general = Boolean(group.general);

  const settings = h('form', {
    class: 'group-form', testid: 'group-settings',
    onsubmit: (event) => {
      event.preventDefault();
      busy(save, async () => {
        const changes = { name: name.value.trim(), topic: topic.value.trim(), slow_mode_s: Number(slowMode.value) };
        if (!general) {
          changes.read_only = readOnly.checked;
          changes.max_members = cap.value ? Number(cap.value) : 0;
          if (manager) changes.access = access.value;
        } else changes.read_only = readOnly.checked;
        const reply = await api.updateGroup(groupId, changes);
        groups.putGroup(circleId, reply.group);
        toast(TEXT.saved, 'info');
      });
    },
  },
  field(TEXT.name, name),
  field(TEXT.topic, topic),
  !general && manager ? field(TEXT.access, access) : null,
  !general ? field(TEXT.cap, cap, TEXT.capHint) : null,
  h('label', { class: 'check' }, readOnly, ` ${TEXT.readOnly}`),
  field(TEXT.slowMode, slowMode, TEXT.slowModeHint),
  h('div', { class: 'row' }, save));

  const placeTools = manager && !general
    ? h('div', { class: 'row', role: 'group', 'aria-label': TEXT.place },
      h('button', { type: 'button', class: 'small', testid: 'group-up', text: `↑ ${TEXT.up}`, onclick: (e) => move(e.currentTarget, -1) }),
      h('button', { type: 'button', class: 'small', testid: 'group-down', text: `↓ ${TEXT.down}`, onclick: (e) => move(e.currentTarget, 1) }),
      h('button', {
        type: 'button', class: 'small danger', testid: 'group-archive', text: TEXT.archive,
        onclick: (e) => {
          if (!window.confirm(TEXT.archiveAsk(group.name))) return;
          busy(e.currentTarget, async () => {
            const reply = await api.updateGroup(groupId, { archived: true });
            groups.putGroup(circleId, reply.group);
            onClose();
          });
        },
      }))
    : null;

  async function move(button, step) {
    const order = groups.groupsOf(circleId).filter((g) => !g.general);
    const at = order.findIndex((g) => g.id === groupId);
    const other = order[at + step];
    if (at < 0 || !other) return;
    await busy(button, async () => {
      // Swap the two places; equal places would not change the order, so make room.
      const mine = other.position === order[at].position ? other.position + step : other.position;
      const a = await api.updateGroup(groupId, { position: Math.max(0, mine) });
      const b = await api.updateGroup(other.id, { position: order[at].position });
      groups.putGroup(circleId, a.group);
      groups.putGroup(circleId, b.group);
    });
  }

  const membersBox = h('div', { class: 'group-members', testid: 'group-members' });

  async function loadMembers() {
    if (general) {
      fill(membersBox, h('p', { class: 'muted small', text: TEXT.generalMembers }));
      return;
    }
    try {
      let cursor;
      const all = [];
      do {
        const page = await api.groupMembers(groupId, cursor);
        all.push(...(page.members || []));
        cursor = page.next;
      } while (cursor);
      groups.setRequests(circleId, groupId, all.filter((m) => !m.approved).map((m) => m.user));
      drawMembers(all);
    } catch (err) {
      fill(membersBox, h('p', { class: 'muted small', text: errorText(err) }));
    }
  }

  function memberRow(m) {
    const me = state.session.user && state.session.user.id === m.user;
    const act = (label, testid, fn, ariaKey) => h('button', {
      type: 'button', class: 'link small', testid, text: label, 'aria-label': t(ariaKey, { name: m.name }),
      onclick: (e) => busy(e.currentTarget, async () => {
        await fn();
        await loadMembers();
      }),
    });
    return h('li', { class: 'group-member', testid: m.approved ? 'group-member' : 'group-request', dataset: { user: m.user } },
      userText('span', m.name, { class: 'grow' }),
      m.role === 'admin' && m.approved ? h('span', { class: 'tag', text: TEXT.admin }) : null,
      m.approved
        ? [
          me ? null : act(m.role === 'admin' ? TEXT.makeMember : TEXT.makeAdmin, 'group-role',
            () => api.putGroupMember(groupId, m.user, m.role === 'admin' ? 'member' : 'admin'),
            m.role === 'admin' ? 'manage.makeMemberWho' : 'manage.makeAdminWho'),
          me ? null : act(TEXT.remove, 'group-remove', () => api.removeGroupMember(groupId, m.user), 'manage.removeWho'),
        ]
        : [
          act(TEXT.approve, 'group-approve', () => api.putGroupMember(groupId, m.user), 'manage.approveWho'),
          act(TEXT.decline, 'group-decline', () => api.removeGroupMember(groupId, m.user), 'manage.declineWho'),
        ]);
  }

  async function drawMembers(all) {
    const approved = all.filter((m) => m.approved);
    const waiting = all.filter((m) => !m.approved);
    const inGroup = new Set(all.map((m) => m.user));
    let circleMembers = [];
    try {
      circleMembers = ((await api.members(circleId)).members || []).filter((m) => !inGroup.has(m.user));
    } catch {
      circleMembers = [];
    }
    const pick = h('select', { testid: 'group-add-select' },
      circleMembers.map((m) => userText('option', m.nickname || m.name, { value: m.user })));
    const add = h('button', {
      type: 'button', class: 'small', testid: 'group-add', text: TEXT.add, disabled: circleMembers.length === 0,
      onclick: () => busy(add, async () => {
        await api.putGroupMember(groupId, pick.value);
        await loadMembers();
      }),
    });
    fill(membersBox,
      waiting.length
        ? h('section', {}, h('h4', { text: TEXT.requests }),
          h('ul', { class: 'plain', testid: 'group-requests' }, waiting.map(memberRow)))
        : null,
      h('h4', { text: TEXT.members(approved.length) }),
      h('ul', { class: 'plain' }, approved.length ? approved.map(memberRow) : h('li', { class: 'muted', text: TEXT.nobody })),
      circleMembers.length ? field(TEXT.addMember, pick) : null,
      circleMembers.length ? add : null);
  }

  const off = state.on(EV.groupsChanged, (d) => {
    if (d.circle !== circleId || d.group !== groupId) return;
    if (!panel.isConnected) {
      off();
      return;
    }
    loadMembers(); // a join, a request, a departure
  });
  const panel = h('section', { class: 'group-admin', testid: 'group-admin' },
    h('div', { class: 'panel-head' },
      h('h3', {}, sentence('manage.manageGroup', { name: userText('span', `# ${group.name}`) })),
      h('button', { type: 'button', class: 'link', testid: 'group-admin-close', text: TEXT.close, onclick: () => { off(); onClose(); } })),
    settings, placeTools, membersBox);
  loadMembers();
  return panel;
}
