// A circle's member list, as far as it was loaded (GET /circles/{id}/members, page by
// page), kept current by member.* events. The count lives in the circle's info.

import { EV } from './names.js';
import { emit, on } from './state.js';

const lists = new Map(); // circle id → {byUser: Map, next, q (the search shown, '' none)}

on(EV.sessionCleared, () => lists.clear());

export function membersOf(circleId) {
  const list = lists.get(circleId);
  return list ? [...list.byUser.values()] : null;
}

/** The search the loaded list answers ('' for all members). */
export function queryOf(circleId) {
  const list = lists.get(circleId);
  return list ? list.q : '';
}

export function nextOf(circleId) {
  const list = lists.get(circleId);
  return list ? list.next : null;
}

function changed(circleId) {
  emit(EV.membersChanged, { circle: circleId });
}

export function addPage(circleId, members, next, { first = false, q = '' } = {}) {
  let list = lists.get(circleId);
  if (first || !list) {
    list = { byUser: new Map(), next: null, q };
    lists.set(circleId, list);
  }
  for (const member of members) list.byUser.set(member.user, member);
  list.next = next || null;
  changed(circleId);
}

/** member.joined and member.updated: the member as the server has them now. */
export function putMember(circleId, member) {
  const list = lists.get(circleId);
  if (!list) return;
  // One who joined while later pages are still unread comes with those pages.
  // Nor one the search shown may not find (the server's search reads names it alone knows).
  if (!list.byUser.has(member.user) && (list.next || list.q)) return;
  list.byUser.set(member.user, member);
  changed(circleId);
}

export function removeMember(circleId, userId) {
  const list = lists.get(circleId);
  if (list && list.byUser.delete(userId)) changed(circleId);
}

export function dropMembers(circleId) {
  if (lists.delete(circleId)) changed(circleId);
}
