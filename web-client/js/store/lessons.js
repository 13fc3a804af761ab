// The course plan's events (lesson.*, lessons.reordered) and what the whole client needs of
// lessons: the live lessons of my circles (the "live now" banner, on every page) and the
// live ranges of each chat group (messages "said during the lesson"). The course tab loads
// the plan itself and reloads when lessonsChanged says it moved.
//
// The live list is loaded with GET /me/live-lessons after every welcome (a member who
// connects mid-lesson sees it live) and kept by lesson.live / lesson.ended / lesson.deleted;
// an event that comes while that load is in flight wins over its answer.

import * as api from '../api.js';
import { EV } from './names.js';
import * as state from './state.js';

const live = new Map(); // lesson id → lesson (live now, in one of my circles)
const known = new Map(); // lesson id → lesson (any seen: their live ranges)
let loading = null; // Map of lessons events changed while a load is in flight
let generation = 0;

/** The live lessons, earliest started first. */
export function liveLessons() {
  return [...live.values()].sort((a, b) => (a.live?.started_at || 0) - (b.live?.started_at || 0));
}

/** Keep what a plan or a lesson page loaded: their ranges mark the chat. */
export function remember(lessons) {
  for (const lesson of lessons) known.set(lesson.id, lesson);
}

/** The lesson during which a message of this chat (a group; general's id is the circle's) was said. */
export function duringLesson(chat, seq) {
  for (const lesson of known.values()) {
    const range = lesson.live;
    if (!range || range.group !== chat || !(seq > range.start_seq)) continue;
    if (range.end_seq == null || seq <= range.end_seq) return lesson;
  }
  return null;
}

function put(lesson) {
  known.set(lesson.id, lesson);
  if (loading) loading.set(lesson.id, lesson);
  const wasLive = live.has(lesson.id);
  if (lesson.state === 'live') live.set(lesson.id, lesson);
  else live.delete(lesson.id);
  if (wasLive || lesson.state === 'live') state.emit(EV.liveLessons, {});
}

/** Learn a circle's lessons and their live ranges (its page opened): the chat marks them. */
export async function loadPlan(circleId) {
  const plan = await api.lessons(circleId);
  remember(plan.lessons);
  state.emit(EV.lessonsChanged, { circle: circleId, lesson: null });
}

/** Load the live lessons of my circles (after a welcome). */
export async function loadLive() {
  const mine = ++generation;
  loading = new Map();
  try {
    const answer = await api.liveLessons();
    if (mine !== generation) return;
    const changed = loading;
    live.clear();
    for (const lesson of answer.lessons) live.set(lesson.id, lesson);
    for (const lesson of changed.values()) {
      if (lesson.state === 'live') live.set(lesson.id, lesson);
      else live.delete(lesson.id);
    }
    remember(answer.lessons);
    state.emit(EV.liveLessons, {});
  } finally {
    if (mine === generation) loading = null;
  }
}

/** I left a circle (or was removed, or it was deleted): its live lessons leave the banner. */
export function leftCircle(circleId) {
  let moved = false;
  for (const [id, lesson] of live) {
    if (lesson.circle === circleId) moved = live.delete(id) || moved;
  }
  if (moved) state.emit(EV.liveLessons, {});
}

export function forget() {
  generation += 1;
  loading = null;
  live.clear();
  known.clear();
  state.emit(EV.liveLessons, {});
}

const changed = (ev, lesson) => state.emit(EV.lessonsChanged, { circle: ev.circle, lesson });

export const LESSON_KINDS = {
  'lesson.created': (ev) => { put(ev.lesson); changed(ev, ev.lesson.id); },
  'lesson.updated': (ev) => { put(ev.lesson); changed(ev, ev.lesson.id); },
  'lesson.live': (ev) => { put(ev.lesson); changed(ev, ev.lesson.id); },
  'lesson.ended': (ev) => { put(ev.lesson); changed(ev, ev.lesson.id); },
  'lesson.deleted': (ev) => {
    known.delete(ev.lesson);
    if (loading) loading.set(ev.lesson, { id: ev.lesson, state: 'deleted' });
    if (live.delete(ev.lesson)) state.emit(EV.liveLessons, {});
    changed(ev, ev.lesson);
  },
  'lessons.reordered': (ev) => changed(ev, null),
};
