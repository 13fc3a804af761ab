// Homework events (assignment.*, submission.*): nothing is kept here;
// the homework tab loads what it shows and reloads when one of these says it moved. The
// server sends each only to who may see it (the student, the teachers, classmates as the
// assignment's peer visibility allows).

import { EV } from './names.js';
import * as state from './state.js';

/** The assignment an event is about. */
export function assignmentOf(ev) {
  if (typeof ev.assignment === 'string') return ev.assignment;
  if (ev.assignment) return ev.assignment.id;
  return ev.submission ? ev.submission.assignment : null;
}

const changed = (ev) => state.emit(EV.homeworkChanged, { circle: ev.circle, assignment: assignmentOf(ev), kind: ev.kind, ev });

export const HOMEWORK_KINDS = {
  'assignment.created': changed,
  'assignment.updated': changed,
  'assignment.deleted': changed,
  'submission.updated': changed,
  'submission.reviewed': changed,
  'submission.commented': (ev) => state.emit(EV.homeworkChanged, { circle: ev.circle, assignment: null, kind: ev.kind, ev }),
  'submission.liked': changed,
};
