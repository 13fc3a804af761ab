// Event (gathering) events — gathering.created/updated/cancelled and rsvp.changed: nothing
// is kept here; the events panel loads what it shows and reloads when one of these says
// an event or its answers moved.

import { EV } from './names.js';
import * as state from './state.js';

const changed = (ev) => state.emit(EV.gatheringsChanged, { circle: ev.circle, gathering: ev.gathering ? ev.gathering.id : null });

export const GATHERING_KINDS = {
  'gathering.created': changed,
  'gathering.updated': changed,
  'gathering.cancelled': changed,
  'rsvp.changed': changed,
};
