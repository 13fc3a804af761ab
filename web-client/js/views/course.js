// A circle's course plan (the `course` tab; README "Course plan and live lessons"): the next
// lesson on top (a live one first), then the upcoming lessons and the past ones in the plan's
// order — a past one the member has not opened is marked missed. A lesson's page: its time
// in the circle's zone, description, attachments, the player or stream link while live, the
// replay and the highlights of its live chat after. Teachers (owners and admins) add, edit,
// move, delete, start and end lessons here. Everything reloads when a lesson event says the
// plan moved.

import * as api from '../api.js';
import { busy, field, h } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { groupsOf } from '../store/groups.js';
import * as lessons from '../store/lessons.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { attachTray } from './attach.js';
import { attachmentsEl } from './attachments.js';
import { outLink, playerEl, webUrl } from './lesson-player.js';
import { redrawing, RELOAD_MS } from './redraw.js';
import { userText } from './user-text.js';

export function courseView(circleId) {
  let open = null; // the lesson shown, or null: the plan
  let timer = null;
  let visible = false;
  const body = h('div', { class: 'course-body', testid: 'course-body' });
  const el = h('section', { class: 'panel course', testid: 'panel-course', 'aria-label': t('lesson.plan') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('lesson.plan') })), body);

  const panel = redrawing(body, (mine) => (open ? showOne(open, mine) : showPlan(mine)));
  const { show, draw } = panel;

  async function showPlan(mine) {
    waiting = false;
    const plan = await api.lessons(circleId);
    lessons.remember(plan.lessons);
    const next = plan.lessons.find((lesson) => lesson.id === plan.next);
    const upcoming = plan.lessons.filter((lesson) => !lesson.past && lesson !== next);
    const past = plan.lessons.filter((lesson) => lesson.past && lesson !== next);
    const list = (items, testid) => h('ul', { class: 'lesson-list', testid }, items.map((lesson) => itemEl(lesson, plan.lessons)));
    draw(mine,
      state.isManager(circleId) ? () => lessonForm(null) : null,
      next ? h('section', { class: 'lesson-next', testid: 'lesson-next', 'aria-label': t('lesson.next') },
        h('h3', { text: next.state === 'live' ? t('lesson.liveNow') : t('lesson.next') }), list([next], 'lesson-next-list')) : null,
      plan.lessons.length === 0 ? h('p', { class: 'muted', testid: 'lessons-empty', text: t('lesson.none') }) : null,
      upcoming.length ? [h('h3', { text: t('lesson.upcoming') }), list(upcoming, 'lesson-upcoming')] : null,
      past.length ? [h('h3', { text: t('lesson.past') }), list(past, 'lesson-past')] : null);
  }

  function itemEl(lesson, all) {
    const index = all.indexOf(lesson);
    return h('li', { class: 'card lesson-item', testid: 'lesson-item', dataset: { id: lesson.id, state: lesson.state } },
      h('button', { type: 'button', class: 'link lesson-open', testid: 'lesson-open', onclick: () => { open = lesson.id; show(); } },
        userText('strong', lesson.title)),
      h('p', { class: 'muted small', text: `${t('lesson.number', { n: index + 1 })} · ${when(lesson)}` }),
      lesson.state === 'live' ? h('span', { class: 'tag live', testid: 'lesson-live-tag', text: t('lesson.live') }) : null,
      lesson.missed ? h('span', { class: 'tag muted', testid: 'lesson-missed', text: t('lesson.missed') }) : null,
      state.isManager(circleId) ? moveButtons(lesson, all, index) : null);
  }

  function moveButtons(lesson, all, index) {
    const move = (to) => {
      const order = all.map((x) => x.id);
      order.splice(index, 1);
      order.splice(to, 0, lesson.id);
      busy(null, async () => { await api.reorderLessons(circleId, order); await show(); });
    };
    return h('span', { class: 'lesson-move' },
      h('button', { type: 'button', class: 'link', testid: 'lesson-up', disabled: index === 0, 'aria-label': t('lesson.moveUp'), text: '↑', onclick: () => move(index - 1) }),
      h('button', { type: 'button', class: 'link', testid: 'lesson-down', disabled: index === all.length - 1, 'aria-label': t('lesson.moveDown'), text: '↓', onclick: () => move(index + 1) }));
  }

  async function showOne(id, mine) {
    waiting = false;
    const lesson = await api.lesson(id);
    if (open !== id || !panel.current(mine)) return;
    lessons.remember([lesson]);
    api.lessonSeen(id).catch(() => {});
    const back = h('button', { type: 'button', class: 'link', testid: 'lesson-back', text: t('lesson.back'), onclick: () => { open = null; show(); } });
    const replay = webUrl(lesson.replay_url);
    draw(mine,
      back,
      h('article', { class: 'card lesson', testid: 'lesson', dataset: { id: lesson.id, state: lesson.state } },
        userText('h3', lesson.title, { testid: 'lesson-title' }),
        h('p', { class: 'muted small', testid: 'lesson-when', text: when(lesson) }),
        h('p', { class: `tag ${lesson.state}`, testid: 'lesson-state', text: t(`lesson.state.${lesson.state}`) }),
        lesson.description ? userText('p', lesson.description, { class: 'lesson-about' }) : null,
        lesson.state !== 'ended' ? playerEl(lesson) : null,
        lesson.state === 'ended' && replay ? h('p', {}, outLink(replay, t('lesson.replay'), 'lesson-replay')) : null,
        lesson.attachments.length ? h('section', { 'aria-label': t('lesson.attachments') },
          h('h4', { text: t('lesson.attachments') }), attachmentsEl(lesson.attachments, `lesson:${lesson.id}`)) : null,
        lesson.state === 'ended' ? highlightsEl(lesson.highlights || []) : null,
        state.isManager(circleId) ? teacherTools(lesson) : null),
      state.isManager(circleId) ? () => lessonForm(lesson) : null);
  }

  function highlightsEl(posts) {
    return h('section', { class: 'lesson-highlights', testid: 'lesson-highlights', 'aria-label': t('lesson.highlights') },
      h('h4', { text: t('lesson.highlights') }),
      posts.length
        ? h('ul', {}, posts.map((post) => h('li', { class: 'lesson-highlight', testid: 'lesson-highlight' },
          userText('strong', post.author?.name || ''), ' ', userText('span', post.text))))
        : h('p', { class: 'muted small', text: t('lesson.noHighlights') }));
  }

  function teacherTools(lesson) {
    const problem = h('p', { class: 'error', testid: 'lesson-error', hidden: true, role: 'alert' });
    const act = (button, call) => busy(button, async () => {
      try {
        await call();
        await show();
      } catch (err) {
        problem.textContent = errorText(err);
        problem.hidden = false;
      }
    });
    const start = h('button', { type: 'button', class: 'primary', testid: 'lesson-start', text: t('lesson.start'), onclick: () => act(start, () => api.startLesson(lesson.id)) });
    const end = h('button', { type: 'button', class: 'primary', testid: 'lesson-end', text: t('lesson.end'), onclick: () => act(end, () => api.endLesson(lesson.id)) });
    const remove = h('button', {
      type: 'button', class: 'danger', testid: 'lesson-delete', text: t('common.delete'),
      onclick: () => {
        if (!window.confirm(t('lesson.deleteConfirm'))) return;
        act(remove, async () => { await api.deleteLesson(lesson.id); open = null; });
      },
    });
    return h('div', { class: 'row wrap lesson-tools' },
      lesson.state === 'scheduled' ? start : null,
      lesson.state === 'live' ? end : null,
      remove, problem);
  }

  /** Add a lesson (lesson null) or edit one: every time in the circle's zone. */
  function lessonForm(lesson) {
    const zone = lesson ? lesson.time_zone : (state.infoOf(circleId)?.time_zone || 'Asia/Shanghai');
    const input = (testid, props = {}) => h('input', { testid, ...props });
    const title = input('lesson-title-input', { required: true, maxlength: '100', value: lesson?.title || '' });
    const starts = input('lesson-starts', { type: 'datetime-local', required: true, value: lesson?.starts_local || '' });
    const duration = input('lesson-duration', { type: 'number', min: '1', max: '1440', value: lesson?.duration_min ?? '' });
    const about = h('textarea', { testid: 'lesson-description', rows: '3', maxlength: '4000', value: lesson?.description || '' });
    const stream = input('lesson-stream', { type: 'url', maxlength: '2000', placeholder: 'https://', value: lesson?.stream_url || '' });
    const embed = input('lesson-embed', { type: 'checkbox', checked: Boolean(lesson?.stream_embed) });
    const replay = input('lesson-replay-input', { type: 'url', maxlength: '2000', placeholder: 'https://', value: lesson?.replay_url || '' });
    // The live chat: the circle's general group, or one of its chat groups.
    const chosen = lesson?.group || circleId;
    const others = groupsOf(circleId).filter((g) => !g.general);
    if (lesson?.group && !others.some((g) => g.id === lesson.group)) others.push({ id: lesson.group, name: lesson.group });
    const group = h('select', { testid: 'lesson-group' },
      h('option', { value: circleId, text: t('lesson.generalGroup'), selected: chosen === circleId }),
      others.map((g) => h('option', { value: g.id, text: g.name, selected: chosen === g.id })));
    const remind = input('lesson-remind', { type: 'number', min: '0', max: '10080', value: String(lesson ? lesson.remind_before_min : 15) });
    const save = h('button', { type: 'submit', class: 'primary', testid: 'lesson-save', text: lesson ? t('common.save') : t('lesson.add') });
    const problem = h('p', { class: 'error', testid: 'lesson-form-error', hidden: true, role: 'alert' });
    const formTray = lesson ? null : attachTray(circleId, { onChange: () => { save.disabled = formTray.busy(); } });
    if (formTray) panel.keep(formTray);
    const form = h('form', {
      class: 'lesson-form', testid: lesson ? 'lesson-edit-form' : 'lesson-form',
      onsubmit: (event) => {
        event.preventDefault();
        const fields = {
          title: title.value.trim(),
          starts_at: starts.value,
          description: about.value.trim(),
          duration_min: duration.value ? Number(duration.value) : null,
          stream_url: stream.value.trim() || null,
          stream_embed: embed.checked,
          remind_before_min: remind.value ? Number(remind.value) : 0,
          group: group.value === circleId ? null : group.value,
        };
        if (lesson) fields.replay_url = replay.value.trim() || null;
        else {
          if (fields.duration_min == null) delete fields.duration_min;
          if (fields.stream_url == null) delete fields.stream_url;
          if (fields.group == null) delete fields.group;
          fields.attachments = formTray.attachments().map((a) => a.id);
        }
        busy(save, async () => {
          try {
            if (lesson) await api.editLesson(lesson.id, fields);
            else await api.createLesson(circleId, fields);
            await show();
          } catch (err) {
            problem.textContent = errorText(err);
            problem.hidden = false;
          }
        });
      },
    },
    field(t('lesson.titleField'), title),
    field(t('lesson.startsField', { zone }), starts),
    field(t('lesson.durationField'), duration),
    field(t('lesson.descriptionField'), about),
    field(t('lesson.streamField'), stream, t('lesson.streamHint')),
    h('label', { class: 'row' }, embed, h('span', { text: t('lesson.embedField') })),
    field(t('lesson.groupField'), group),
    lesson ? field(t('lesson.replayField'), replay) : null,
    field(t('lesson.remindField'), remind),
    formTray ? [formTray.tray, h('div', { class: 'row wrap' }, formTray.controls)] : null,
    h('div', { class: 'row wrap' }, save), problem);
    if (formTray) formTray.listen(form);
    return h('details', { class: 'card lesson-form-box', testid: lesson ? 'lesson-edit' : 'lesson-new' },
      h('summary', { text: lesson ? t('lesson.edit') : t('lesson.new') }), form);
  }

  function when(lesson) {
    const local = String(lesson.starts_local || '').replace('T', ' ');
    const minutes = lesson.duration_min ? ` · ${t('lesson.minutes', { count: lesson.duration_min })}` : '';
    return `${local} (${lesson.time_zone})${minutes}`;
  }

  // A form being filled in is not drawn over: the reload waits until it is closed.
  let waiting = false;
  function reload() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!visible) return;
      if (el.querySelector('details[open]')) waiting = true;
      else show();
    }, RELOAD_MS);
  }
  el.addEventListener('toggle', (event) => {
    if (waiting && !event.target.open && !el.querySelector('details[open]')) {
      waiting = false;
      show();
    }
  }, true);

  const offs = [
    state.on(EV.lessonsChanged, (d) => {
      if (d.circle !== circleId) return;
      if (!open || d.lesson === open || d.lesson == null) reload();
    }),
  ];

  lessons.loadPlan(circleId).catch(() => {}); // the chat marks what was said during lessons

  return {
    el,
    shown() {
      visible = true;
      show();
    },
    destroy() {
      visible = false;
      clearTimeout(timer);
      panel.stop();
      for (const off of offs) off();
    },
  };
}
