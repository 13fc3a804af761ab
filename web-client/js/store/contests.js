// Contest events (contest.*): nothing is kept here; the contests panel loads what it
// shows and reloads when one of these says a contest, its entries or votes moved.

import { EV } from './names.js';
import * as state from './state.js';

const changed = (ev) => state.emit(EV.contestsChanged, {
  circle: ev.circle, contest: typeof ev.contest === 'string' ? ev.contest : ev.contest.id,
});

export const CONTEST_KINDS = {
  'contest.created': changed,
  'contest.entered': changed,
  'contest.voted': changed,
  'contest.announced': changed,
};
