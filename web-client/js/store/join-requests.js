// How many join requests wait in each circle (its owners and admins only): read with the
// list (GET /circles/{id}/join-requests), kept current by join.requested / join.decided.

import { EV } from './names.js';
import { emit, on } from './state.js';

const pending = new Map(); // circle id → count

on(EV.sessionCleared, () => pending.clear());

export function pendingOf(circleId) {
  return pending.get(circleId) || 0;
}

export function setPending(circleId, count) {
  pending.set(circleId, Number(count) || 0);
  emit(EV.joinRequestsChanged, { circle: circleId });
}

/** The join.* events, for store/events.js. */
export const JOIN_KINDS = {
  'join.requested': (ev) => setPending(ev.circle, ev.pending),
  'join.decided': (ev) => setPending(ev.circle, ev.pending),
};
