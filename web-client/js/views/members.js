// A circle's members in its settings tab: searched by name on the server, loaded page by
// page, then kept current by member events (joined, left, removed, a new role, name,
// mute or paid term). A muted member shows until when, one with a paid term its end (or,
// once ended, its removal); owners and admins act on members through each one's actions
// (member-actions.js).

import { busy, h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { loadMembers } from '../loaders.js';
import { isMuted, untilText } from '../moderation.js';
import { nextChange, termState, termTag } from '../terms.js';
import * as members from '../store/members.js';
import * as state from '../store/state.js';
import { reportButton } from './report.js';
import { memberActions } from './member-actions.js';
import { searchBox } from './search-box.js';
import { userText } from './user-text.js';
import { EV } from '../store/names.js';
import { roleLabelKey } from '../store/sections.js';
import { botBadge } from './bot-badge.js';

const TIMER_MAX_MS = 2 ** 31 - 1;

export function membersView(circleId) {
  const list = h('ul', { class: 'members', testid: 'members-list' }, h('li', { class: 'muted', text: t('common.loading') }));
  const more = h('button', {
    type: 'button', testid: 'members-more', text: t('manage.moreMembers'), hidden: true,
    onclick: () => busy(more, () => loadMembers(circleId, { more: true })),
  });
  const search = searchBox({ label: t('manage.searchMembers'), testid: 'members-search', onSearch: (q) => load(q) });
  const el = h('section', { class: 'card', testid: 'members-section' },
    h('h3', { text: t('manage.members') }), search, list, more);
  let expanded = null; // the member whose actions are open
  let openPanel = null; // their panel, kept while the list redraws (a reason being typed stays)
  let lastRole = state.roleIn(circleId);
  let clock = null; // redraws when the first shown mute ends

  function render() {
    const all = members.membersOf(circleId);
    if (!all) return;
    const now = Date.now();
    list.replaceChildren(...all.map((member) => memberItem(member, now)));
    if (!all.length) list.append(h('li', { class: 'muted', testid: 'members-none', text: t('manage.noMembersFound') }));
    more.hidden = !members.nextOf(circleId);
    clearTimeout(clock);
    const ends = all.map((m) => m.muted_until).filter((until) => isMuted(until, now))
      .concat(all.map((m) => nextChange(m.ends_at, now) ?? Infinity).filter(Number.isFinite).map((wait) => now + wait));
    if (ends.length) clock = setTimeout(render, Math.min(Math.min(...ends) - now + 50, TIMER_MAX_MS));
  }

  function load(q) {
    loadMembers(circleId, { q }).catch((err) => {
      if (!members.membersOf(circleId) || q !== undefined) list.replaceChildren(h('li', { class: 'muted', text: errorText(err) }));
    });
  }

  function memberItem(member, now) {
    const me = state.session.user || {};
    const self = member.user === me.id;
    const acts = memberActions(circleId, member, {
      open: expanded === member.user,
      onToggle: (open) => {
        expanded = open ? member.user : null;
        openPanel = null;
        render();
      },
    });
    if (acts && expanded === member.user) {
      if (openPanel) acts.panel = openPanel;
      else openPanel = acts.panel;
    }
    const muted = isMuted(member.muted_until, now)
      ? h('span', { class: 'tag warn', testid: 'member-muted', text: t('manage.mutedTag', { until: untilText(member.muted_until, now) }) })
      : null;
    const termText = termTag(member, now);
    const term = termText
      ? h('span', { class: termState(member.ends_at, now) === 'active' ? 'tag' : 'tag warn', testid: 'member-ends', text: termText })
      : null;
    return h('li', { testid: 'member', dataset: { userId: member.user, role: member.role } },
      h('div', { class: 'row wrap' },
        userText('span', member.name, { class: 'grow', testid: 'member-name' }),
        botBadge(member),
        h('span', { class: 'tag', testid: 'member-role', text: roleLabel(member.role, (state.infoOf(circleId) || state.circles.get(circleId) || {}).kind) }),
        muted,
        term,
        self ? h('span', { class: 'muted small', text: t('manage.you') }) : null,
        self ? null : reportButton(circleId, { kind: 'member', id: member.user }, { label: member.name }),
        acts && acts.toggle),
      acts && acts.panel);
  }

  const offs = [
    state.on(EV.membersChanged, (d) => d.circle === circleId && render()),
    state.on(EV.circlesChanged, () => {
      // My role decides what I may do to whom (other changes of the list: nothing here).
      if (state.roleIn(circleId) === lastRole) return;
      lastRole = state.roleIn(circleId);
      expanded = null;
      openPanel = null;
      render();
    }),
  ];
  load();
  return {
    el,
    // A list that failed to load is asked for again when the tab is shown.
    shown: () => { if (!members.membersOf(circleId)) load(); },
    destroy: () => {
      clearTimeout(clock);
      offs.forEach((off) => off());
    },
  };
}

/** owner/admin/member in the page's language (never the protocol's word); in a teaching
 *  circle, Teacher and Assistant (store/sections.js). */
function roleLabel(role, kind) {
  return t(roleLabelKey(role, kind));
}
