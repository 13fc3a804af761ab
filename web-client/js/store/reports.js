// Reports, as the client follows them: each circle's count of open reports (the managers'
// badge), from GET /circles/{id}/reports (`open`) and then the report.filed and
// report.resolved events, which carry it (only owners and admins get report.filed; a
// resolved report reaches them and its reporter). The reporter is told the outcome.

import { EV } from './names.js';
import { emit, on } from './state.js';

const open = new Map(); // circle id → open reports

on(EV.sessionCleared, () => open.clear());

export function openOf(circleId) {
  return open.has(circleId) ? open.get(circleId) : null;
}

export function setOpen(circleId, count) {
  if (typeof count !== 'number' || open.get(circleId) === count) return;
  open.set(circleId, count);
  emit(EV.reportsChanged, { circle: circleId });
}

/** report.filed: one more open report (managers only). */
export function filed(ev) {
  open.set(ev.circle, ev.open);
  emit(EV.reportsChanged, { circle: ev.circle, report: ev.report });
}

/** report.resolved: the managers' count; the reporter's outcome. */
export function resolved(ev, myId) {
  open.set(ev.circle, ev.open);
  emit(EV.reportsChanged, { circle: ev.circle, report: ev.report });
  if (myId && ev.reporter === myId) emit(EV.reportOutcome, { circle: ev.circle, report: ev.report });
}
