// Check-in challenge events (challenge.*, checkin.*): nothing is kept here; the challenge
// page loads what it shows and reloads when one of these says it moved.

import { EV } from './names.js';
import * as state from './state.js';

/** The challenge an event is about: its id, or the challenge's or check-in's. */
export function challengeOf(ev) {
  if (typeof ev.challenge === 'string') return ev.challenge;
  if (ev.challenge) return ev.challenge.id;
  return ev.checkin ? ev.checkin.challenge : null;
}

const changed = (ev) => state.emit(EV.challengesChanged, { circle: ev.circle, challenge: challengeOf(ev) });

export const CHALLENGE_KINDS = {
  'challenge.created': changed,
  'challenge.joined': changed,
  'checkin.added': changed,
  'checkin.edited': changed,
  'checkin.invalidated': changed,
  'checkin.reviewed': changed,
};
