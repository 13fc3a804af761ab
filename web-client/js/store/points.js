// Points events: points.rules (the table changed). Nothing is kept here; the points
// panel loads what it shows and reloads when this, or anything that earns, moves.

import { EV } from './names.js';
import * as state from './state.js';

export const POINT_KINDS = {
  'points.rules': (ev) => state.emit(EV.pointsChanged, { circle: ev.circle }),
};
