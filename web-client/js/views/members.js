// A circle's members in its settings tab: loaded page by page, then kept current by
// member events (joined, left, removed, a new role or name). Owners and admins remove.

import * as api from '../api.js';
import { busy, h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { loadMembers } from '../loaders.js';
import * as members from '../store/members.js';
import * as state from '../store/state.js';
import { reportButton } from './report.js';
import { userText } from './user-text.js';
import { EV } from '../store/names.js';

export function membersView(circleId) {
  const list = h('ul', { class: 'members', testid: 'members-list' }, h('li', { class: 'muted', text: t('common.loading') }));
  const more = h('button', {
    type: 'button', testid: 'members-more', text: t('manage.moreMembers'), hidden: true,
    onclick: () => busy(more, () => loadMembers(circleId, { more: true })),
  });
  const el = h('section', { class: 'card', testid: 'members-section' }, h('h3', { text: t('manage.members') }), list, more);

  function render() {
    const all = members.membersOf(circleId);
    if (!all) return;
    list.replaceChildren(...all.map(memberItem));
    more.hidden = !members.nextOf(circleId);
  }

  function load() {
    loadMembers(circleId).catch((err) => {
      if (!members.membersOf(circleId)) list.replaceChildren(h('li', { class: 'muted', text: errorText(err) }));
    });
  }

  function memberItem(member) {
    const me = state.session.user || {};
    const self = member.user === me.id;
    const myRole = state.roleIn(circleId);
    const removable = state.isManager(circleId) && !self && (myRole === 'owner' || member.role === 'member');
    const remove = removable ? h('button', {
      type: 'button', class: 'link danger', testid: 'member-remove', text: t('common.remove'),
      'aria-label': t('manage.removeMember', { name: member.name }),
      onclick: () => {
        if (!window.confirm(t('manage.removeMemberAsk', { name: member.name }))) return;
        busy(remove, async () => {
          await api.removeMember(circleId, member.user);
          members.removeMember(circleId, member.user);
        });
      },
    }) : null;
    return h('li', { testid: 'member', dataset: { userId: member.user, role: member.role } },
      userText('span', member.name, { class: 'grow', testid: 'member-name' }),
      h('span', { class: 'tag', testid: 'member-role', text: roleLabel(member.role) }),
      self ? h('span', { class: 'muted small', text: t('manage.you') }) : null,
      self ? null : reportButton(circleId, { kind: 'member', id: member.user }, { label: member.name }),
      remove);
  }

  const offs = [
    state.on(EV.membersChanged, (d) => d.circle === circleId && render()),
    state.on(EV.circlesChanged, render), // my role: who may be removed
  ];
  load();
  return {
    el,
    // A list that failed to load is asked for again when the tab is shown.
    shown: () => { if (!members.membersOf(circleId)) load(); },
    destroy: () => offs.forEach((off) => off()),
  };
}

/** owner/admin/member in the page's language (never the protocol's word). */
function roleLabel(role) {
  return t(`role.${['owner', 'admin'].includes(role) ? role : 'member'}`);
}
