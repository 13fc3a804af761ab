// A circle's chat groups as this user sees them (GET /circles/{id}/groups: general first,
// each with the caller's joined, role, requested and unread), kept current by group.*
// events, and for group admins the requests waiting. Unread counts start from the list
// and move with live `msg` pushes of the groups joined on the socket (see views/groups.js).

import { EV } from './names.js';
import { emit, on, session } from './state.js';

const circles = new Map(); // circle id → {byId: Map, requests: Map group → Set of user ids}

on(EV.sessionCleared, () => circles.clear());

function boxOf(circleId) {
  if (!circles.has(circleId)) circles.set(circleId, { byId: new Map(), requests: new Map() });
  return circles.get(circleId);
}

function changed(circleId, group = null) {
  emit(EV.groupsChanged, { circle: circleId, group });
}

const myId = () => (session.user ? session.user.id : null);

export function setGroups(circleId, list) {
  const box = boxOf(circleId);
  box.byId.clear();
  for (const group of list) box.byId.set(group.id, { ...group });
  changed(circleId);
}

export function forget(circleId) {
  circles.delete(circleId);
}

/** The live groups in order, general first (archived ones leave the list). */
export function groupsOf(circleId) {
  const all = [...boxOf(circleId).byId.values()].filter((g) => !g.archived);
  return all.sort((a, b) => (b.general - a.general) || (a.position - b.position) || (a.created - b.created));
}

export function groupOf(circleId, groupId) {
  return boxOf(circleId).byId.get(groupId) || null;
}

/** The name of a group of a circle, for highlights ("from #north"); null when unknown. */
export function groupName(circleId, groupId) {
  const group = circles.get(circleId)?.byId.get(groupId);
  return group ? group.name : null;
}

/** The circle owners' and admins' and the group's admins' (a group admin's own role). */
export function mayManage(circleId, groupId, circleManager) {
  const group = groupOf(circleId, groupId);
  return Boolean(group) && (circleManager || group.role === 'admin');
}

/** A group as the server has it now (group.created / group.updated / PATCH answers). */
export function putGroup(circleId, group) {
  const box = boxOf(circleId);
  const old = box.byId.get(group.id);
  const mine = old
    ? { joined: old.joined, role: old.role, requested: old.requested, unread: old.unread }
    : { joined: false, role: null, requested: false, unread: null };
  box.byId.set(group.id, { ...mine, ...group, ...(old ? mine : {}) });
  changed(circleId, group.id);
}

/** This user's standing (join answers: {group, user, role, approved}). */
export function setStanding(circleId, groupId, { role, approved }) {
  const group = groupOf(circleId, groupId);
  if (!group) return;
  group.joined = Boolean(approved);
  group.role = approved ? role : null;
  group.requested = !approved;
  if (approved && group.unread == null) group.unread = 0;
  changed(circleId, groupId);
}

export function setUnread(circleId, groupId, unread) {
  const group = groupOf(circleId, groupId);
  if (!group || group.unread === unread) return;
  group.unread = unread;
  changed(circleId, groupId);
}

export function bumpUnread(circleId, groupId) {
  const group = groupOf(circleId, groupId);
  if (!group || !group.joined) return;
  group.unread = (group.unread || 0) + 1;
  changed(circleId, groupId);
}

/** Requests waiting in a group (its admins see them: members list and group.requested). */
export function requestsOf(circleId, groupId) {
  return [...(boxOf(circleId).requests.get(groupId) || [])];
}

/** From the members list (which the admin panel reloads on every change: no announcement). */
export function setRequests(circleId, groupId, userIds) {
  boxOf(circleId).requests.set(groupId, new Set(userIds));
}

function dropRequest(circleId, groupId, userId) {
  boxOf(circleId).requests.get(groupId)?.delete(userId);
}

// -- events --------------------------------------------------------------------------

export const GROUP_KINDS = {
  'group.created': (ev) => putGroup(ev.circle, ev.group),
  'group.updated': (ev) => putGroup(ev.circle, ev.group),
  'group.joined': (ev) => {
    const group = groupOf(ev.circle, ev.group);
    if (!group) return;
    group.members = ev.members;
    dropRequest(ev.circle, ev.group, ev.user);
    if (ev.user === myId()) {
      const was = group.joined;
      setStanding(ev.circle, ev.group, { role: ev.role, approved: true });
      if (!was) emit(EV.groupEntered, { circle: ev.circle, group: ev.group });
    } else changed(ev.circle, ev.group);
  },
  'group.left': (ev) => {
    const group = groupOf(ev.circle, ev.group);
    if (!group) return;
    if (ev.members != null) group.members = ev.members;
    dropRequest(ev.circle, ev.group, ev.user);
    if (ev.user === myId()) {
      const was = group.joined;
      group.joined = false;
      group.role = null;
      group.requested = false;
      group.unread = null;
      if (was) emit(EV.groupExited, { circle: ev.circle, group: ev.group, reason: ev.reason });
    }
    changed(ev.circle, ev.group);
  },
  'group.requested': (ev) => {
    const group = groupOf(ev.circle, ev.group);
    if (!group) return;
    if (ev.user === myId()) group.requested = true;
    else {
      const box = boxOf(ev.circle);
      if (!box.requests.has(ev.group)) box.requests.set(ev.group, new Set());
      box.requests.get(ev.group).add(ev.user);
    }
    changed(ev.circle, ev.group);
  },
};
