// A circle's chat with its groups: the list of groups (a side list on a wide screen, a
// drawer on a phone, opened by `toggle`, which circle.js puts in the page's header) with
// unread counts, general first, switching the chat between them;
// groups not joined with Join / Ask to join; owners and admins (and a group's admins)
// create groups, edit, archive and reorder them, and manage members and requests
// (group-admin.js).
//
// Unread counts: the list's `unread` (GET /circles/{id}/groups) when the page opens, then
// live. A connection only gets `msg` of the groups it joined on the socket, so this page
// joins every group the user is in while it is open (simple, and fine for the few groups
// a circle has): each `msg` of a group not shown adds one to its count; showing a group
// sends its read marker (chat.js) and clears the count.

import * as actions from '../actions.js';
import * as api from '../api.js';
import { busy, fill, h, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import * as groups from '../store/groups.js';
import * as state from '../store/state.js';
import { adminPanel, newGroupForm } from './group-admin.js';
import { chatView } from './chat.js';
import { groupLabel } from './group-tag.js';
import { EV } from '../store/names.js';

export function groupedChat(circleId) {
  let current = circleId; // the chat shown: general's id is the circle's
  let chat = chatView(circleId);
  let mode = 'chat'; // or 'manage' / 'new'
  const followed = new Set(); // groups joined on the socket by this page (not general)
  const list = h('ul', { class: 'group-list', testid: 'group-list' });
  const newButton = h('button', {
    type: 'button', class: 'link', testid: 'group-new', text: `+ ${t('circle.groups.new')}`, hidden: true,
    onclick: () => showSide('new'),
  });
  const asideId = `groups-${circleId}`;
  const aside = h('nav', { id: asideId, class: 'groups-aside', testid: 'groups-aside', 'aria-label': t('circle.groups.title') },
    h('div', { class: 'groups-head' },
      h('h2', { text: t('circle.groups.title') }),
      h('button', { type: 'button', class: 'link drawer-close', testid: 'groups-close', text: t('common.close'), onclick: () => drawer(false) })),
    list, newButton);
  const toggle = h('button', {
    type: 'button', class: 'drawer-open', testid: 'groups-open', 'aria-expanded': 'false',
    'aria-controls': asideId, title: t('circle.groups.title'),
    onclick: () => drawer(!el.classList.contains('drawer-shown')),
  }, h('span', { class: 'drawer-icon', 'aria-hidden': 'true', text: '☰' }),
  h('span', { class: 'drawer-label', text: t('circle.groups.title') }),
  h('span', { class: 'badge', testid: 'groups-unread', hidden: true }));
  const title = h('strong', { class: 'group-title', testid: 'group-title' });
  const topic = h('span', { class: 'muted small group-topic', testid: 'group-topic' });
  const barTools = h('span', { class: 'group-tools' });
  const bar = h('div', { class: 'group-bar', testid: 'group-bar' }, title, topic, barTools);
  const side = h('div', { class: 'group-side', testid: 'group-side', hidden: true });
  const column = h('div', { class: 'group-column' }, bar, chat.el, side);
  const el = h('section', {
    class: 'panel group-chat', testid: 'group-chat', 'aria-label': t('circle.tab.chat'),
    dataset: { group: current, general: String(current === circleId) },
  }, aside, column);

  aside.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && el.classList.contains('drawer-shown')) {
      drawer(false);
      toggle.focus();
    }
  });

  function drawer(open) {
    el.classList.toggle('drawer-shown', open);
    toggle.setAttribute('aria-expanded', String(open));
    if (open) (list.querySelector('[aria-current="true"]') || list.querySelector('button'))?.focus();
  }

  // -- the list ---------------------------------------------------------------------

  function item(group) {
    const selected = group.id === current;
    const unread = group.id === current ? 0 : group.unread || 0;
    const name = h('span', { class: 'group-name', text: `# ${groupLabel(group)}` });
    let main;
    if (group.joined || group.general) {
      main = h('button', {
        type: 'button', class: 'group-item', testid: 'group-item',
        'aria-current': selected ? 'true' : 'false',
        dataset: { groupId: group.id },
        onclick: () => select(group.id),
      }, name,
      unread ? h('span', { class: 'badge', testid: 'group-unread', 'aria-label': t('circle.groups.unread', { count: unread }), text: String(unread) }) : null);
    } else {
      main = h('div', { class: 'group-item not-joined', testid: 'group-item', dataset: { groupId: group.id } },
        name, joinControl(group));
    }
    const manage = groups.mayManage(circleId, group.id, state.isManager(circleId))
      ? h('button', {
        type: 'button', class: 'group-manage', testid: 'group-manage', text: '⚙',
        'aria-label': t('circle.groups.manage', { name: group.name }), title: t('circle.groups.manage', { name: group.name }),
        onclick: () => {
          if (group.id !== current && (group.joined || group.general)) select(group.id);
          showSide('manage', group.id);
        },
      })
      : null;
    return h('li', { class: `group${selected ? ' selected' : ''}`, dataset: { groupId: group.id } }, main, manage);
  }

  function joinControl(group) {
    if (group.requested) return h('span', { class: 'muted small', testid: 'group-requested', text: t('circle.groups.requested') });
    if (group.access === 'invite' && !state.isManager(circleId)) {
      return h('span', { class: 'muted small', text: t('circle.groups.inviteOnly') });
    }
    const ask = group.access === 'request' && !state.isManager(circleId);
    const button = h('button', {
      type: 'button', class: 'small', testid: 'group-join', text: ask ? t('circle.groups.ask') : t('circle.groups.join'),
      onclick: () => busy(button, async () => {
        const { member } = await api.joinGroup(group.id);
        groups.setStanding(circleId, group.id, member);
        if (member.approved) {
          follow(group.id);
          select(group.id);
        } else toast(t('circle.groups.asked'), 'info');
      }),
    });
    return button;
  }

  function drawList() {
    const all = groups.groupsOf(circleId);
    fill(list, all.map(item));
    newButton.hidden = !state.isManager(circleId);
    const others = all.filter((g) => g.id !== current).reduce((n, g) => n + (g.unread || 0), 0);
    const badge = toggle.querySelector('.badge');
    badge.hidden = others === 0;
    badge.textContent = String(others);
    drawBar();
  }

  /** A read-only group: only its admins and the circle's owners and admins write. */
  function composer(group) {
    const input = chat.el.querySelector('[data-testid="chat-input"]');
    const send = chat.el.querySelector('[data-testid="chat-send"]');
    if (!input || !send) return;
    const mute = Boolean(group && group.read_only && group.role !== 'admin' && !state.isManager(circleId));
    input.disabled = mute;
    send.disabled = mute;
    if (!input.dataset.placeholder) input.dataset.placeholder = input.placeholder;
    input.placeholder = mute ? t('circle.groups.readOnlyHint') : input.dataset.placeholder;
  }

  function drawBar() {
    const group = groups.groupOf(circleId, current);
    composer(group);
    title.textContent = group ? `# ${groupLabel(group)}` : '';
    topic.textContent = group && group.topic ? group.topic : '';
    const leave = group && !group.general && group.joined
      ? h('button', {
        type: 'button', class: 'link small', testid: 'group-leave', text: t('circle.groups.leave'),
        onclick: (event) => busy(event.currentTarget, async () => {
          await api.leaveGroup(group.id);
          exited(group.id, null);
        }),
      })
      : null;
    fill(barTools,
      group && group.read_only ? h('span', { class: 'tag muted', text: t('circle.groups.readOnly') }) : null,
      group && group.members != null ? h('span', { class: 'muted small', text: t('circle.memberCount', { count: group.members }) }) : null,
      leave);
  }

  // -- switching --------------------------------------------------------------------

  function select(groupId) {
    showSide(null);
    drawer(false);
    if (groupId === current) {
      chat.focus();
      return;
    }
    chat.destroy();
    current = groupId;
    el.dataset.group = groupId;
    el.dataset.general = String(groupId === circleId);
    groups.setUnread(circleId, groupId, 0);
    const next = chatView(circleId, { group: groupId === circleId ? null : groupId });
    chat.el.replaceWith(next.el);
    chat = next;
    drawList();
    chat.shown();
    chat.focus();
  }

  function showSide(kind, groupId = current) {
    mode = kind || 'chat';
    side.hidden = !kind;
    chat.el.hidden = Boolean(kind);
    if (!kind) {
      fill(side);
      return;
    }
    drawer(false);
    const done = (created) => {
      showSide(null);
      if (created) {
        follow(created.id);
        select(created.id);
      }
    };
    fill(side, kind === 'new'
      ? newGroupForm(circleId, done)
      : adminPanel(circleId, groupId, { onClose: () => showSide(null) }));
  }

  /** Join a group's stream on the socket (kept until this page closes or the group is left). */
  function follow(groupId) {
    if (groupId === circleId || followed.has(groupId)) return;
    followed.add(groupId);
    actions.openChat(circleId, groupId);
  }

  function unfollow(groupId) {
    if (!followed.delete(groupId)) return;
    actions.closeChat(circleId, groupId);
  }

  function exited(groupId, reason) {
    const group = groups.groupOf(circleId, groupId);
    unfollow(groupId);
    if (group && group.joined) groups.setStanding(circleId, groupId, { role: null, approved: false });
    if (group) group.requested = false;
    if (groupId === current) {
      if (reason) toast(t('circle.groups.removed', { name: group ? group.name : '' }), 'info');
      select(circleId);
    }
    drawList();
  }

  async function load() {
    try {
      const { groups: found } = await api.groups(circleId);
      if (closed) return;
      groups.setGroups(circleId, found);
      for (const group of found) if (group.joined && !group.archived) follow(group.id);
      groups.setUnread(circleId, current, 0);
    } catch (err) {
      if (!closed && err.code !== 'forbidden' && err.code !== 'not_found') toast(errorText(err));
    }
  }

  let closed = false;
  const offs = [
    state.on(EV.groupsChanged, (d) => {
      if (d.circle !== circleId) return;
      const group = d.group && groups.groupOf(circleId, d.group);
      if (group && group.archived) {
        unfollow(group.id);
        if (group.id === current) {
          toast(t('circle.groups.archived', { name: group.name }), 'info');
          select(circleId);
        }
      }
      drawList();
    }),
    state.on(EV.groupEntered, (d) => d.circle === circleId && follow(d.group)),
    state.on(EV.groupExited, (d) => d.circle === circleId && exited(d.group, d.reason || 'removed')),
    state.on(EV.message, (d) => {
      // A message of a group followed but not shown: one more unread.
      if (d.circle === current || !(followed.has(d.circle) || d.circle === circleId)) return;
      const me = state.session.user;
      if (me && d.message.from && d.message.from.id === me.id) return;
      groups.bumpUnread(circleId, d.circle);
    }),
    state.on(EV.circlesChanged, drawList), // the role may have changed
  ];
  drawList();
  load();

  return {
    el,
    /** The groups button (circle.js puts it in the page's header); it opens the drawer. */
    toggle,
    openDrawer: () => drawer(true),
    focus: () => mode === 'chat' && chat.focus(),
    shown: () => chat.shown(),
    /** The group shown (general's id is the circle's). */
    current: () => current,
    /** Show a message of a group (switching to it) in its context; false if not found. */
    reveal(groupId, seq) {
      if (groupId !== current) select(groupId);
      return chat.reveal(seq);
    },
    destroy() {
      closed = true;
      for (const off of offs) off();
      chat.destroy();
      for (const groupId of followed) actions.closeChat(circleId, groupId);
      followed.clear();
      groups.forget(circleId);
    },
  };
}
